/**
 * End to end in one process: a real Modbus client (modbus-serial) on a loopback socket, the
 * gateway's SQLite outbox, the HTTP relay and the console's API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, silentLog, type Stack } from './helpers/stack.js';
import { rawExchange, waitFor } from './helpers/net.js';
import { modbusClient } from './helpers/modbus.js';
import { Header, INGEST_PATH, decodeSecret, signBatch } from '../src/relay/wire.js';
import net from 'node:net';
import { startGateway } from '../src/gateway/gateway.js';
import { loadEnrollment } from '../src/gateway/enrollment.js';
import { loadProfile } from '../src/profile/load.js';

describe('walking skeleton: Modbus read → hit at the console', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('shows a modbus-serial read of 10 holding registers at the console within 2 s', async () => {
    const client = await modbusClient(stack.gateway.modbusPort);
    const { data } = await client.readHoldingRegisters(0, 10);
    client.close(() => {});
    expect(data.slice(0, 2)).toEqual([180, 60]);
    const hit = await waitFor(async () => (await stack.hits()).find((h) => h.functionCode === 3 && h.quantity === 10), 2_000, 'the read at the console');
    expect(hit).toMatchObject({
      gatewayId: expect.stringMatching(/^gw-/),
      decoy: 'water-lift-station',
      protocol: 'modbus-tcp',
      src: { ip: '127.0.0.1', port: expect.any(Number) },
      unitId: 1,
      address: 0,
      values: null,
      outcome: 'ok',
      via: 'http',
    });
    expect(Date.parse(hit.receivedAt)).toBeGreaterThanOrEqual(Date.parse(hit.at));
  });

  it('reads back a written setpoint, and the write hit carries the value', async () => {
    const client = await modbusClient(stack.gateway.modbusPort);
    await client.writeRegister(1, 75);
    expect((await client.readHoldingRegisters(1, 1)).data).toEqual([75]);
    client.close(() => {});
    const write = await waitFor(async () => (await stack.hits()).find((h) => h.functionCode === 6), 2_000, 'the write');
    expect(write).toMatchObject({ address: 1, values: [75], points: ['LS.PumpStopLevel'], outcome: 'ok' });
  });

  it('closes a connection sending MBAP length 0xFFFF at once, keeps serving others, records it as malformed', async () => {
    const healthy = await modbusClient(stack.gateway.modbusPort);
    const started = Date.now();
    const bad = await rawExchange(stack.gateway.modbusPort, Buffer.from([0x12, 0x34, 0, 0, 0xff, 0xff, 1, 3, 0, 0, 0, 1]), 3_000);
    expect(bad.closedByPeer).toBe(true);
    expect(bad.data.length).toBe(0);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await healthy.readHoldingRegisters(0, 1)).data).toHaveLength(1);
    healthy.close(() => {});
    const hit = await waitFor(async () => (await stack.hits()).find((h) => h.outcome === 'malformed'), 2_000, 'the malformed hit');
    expect(hit).toMatchObject({ detail: 'MBAP length 65535 outside 2..254', src: { ip: '127.0.0.1' }, raw: expect.stringMatching(/^12340000ffff01/) });
  });

  it('rejects batches signed with a wrong secret or from an unknown gateway, and counts them', async () => {
    const { gatewayId } = JSON.parse(readFileSync(stack.enrollmentFile, 'utf8')) as { gatewayId: string };
    const post = (id: string, secret: Buffer) => {
      const body = JSON.stringify({ hits: [] });
      const ts = String(Date.now());
      return fetch(`${stack.console.url}${INGEST_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [Header.gateway]: id, [Header.timestamp]: ts, [Header.signature]: signBatch(secret, id, ts, body) },
        body,
      });
    };
    expect((await post(gatewayId, randomBytes(32))).status).toBe(401);
    expect((await post('gw-doesnotexist00', randomBytes(32))).status).toBe(401);
    expect((await fetch(`${stack.console.url}${INGEST_PATH}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    const metrics = await stack.metrics();
    expect(metrics).toMatch(/tripline_rejected_total\{reason="bad_signature"\} 1\b/);
    expect(metrics).toMatch(/tripline_rejected_total\{reason="unknown_gateway"\} 1\b/);
    expect(metrics).toMatch(/tripline_rejected_total\{reason="missing_credentials"\} 1\b/);
  });

  it('keeps a gateway with a wrong secret out, while its hits stay in its outbox', async () => {
    const forged = join(stack.dir, 'forged.json');
    const enrollment = JSON.parse(readFileSync(stack.enrollmentFile, 'utf8'));
    writeFileSync(forged, JSON.stringify({ ...enrollment, secret: randomBytes(32).toString('base64url') }), { mode: 0o600 });
    const before = (await stack.hits('?limit=10000')).length;
    const impostor = await startGateway({
      enrollment: loadEnrollment(forged),
      profile: loadProfile('water-lift-station'),
      dataDir: join(stack.dir, 'impostor'),
      modbusHost: '127.0.0.1',
      modbusPort: 0,
      log: silentLog,
      relay: { backoff: { initialMs: 50, maxMs: 200 } },
    });
    try {
      const client = await modbusClient(impostor.modbusPort);
      await client.readCoils(0, 8);
      client.close(() => {});
      await waitFor(() => impostor.relay.snapshot().consecutiveFailures >= 2 || undefined, 5_000, 'rejected deliveries');
      expect(impostor.relay.snapshot().lastError).toMatch(/HTTP 401/);
      expect(impostor.store.outboxDepth()).toBe(1);
      expect((await stack.hits('?limit=10000')).length).toBe(before);
      expect(await stack.metrics()).toMatch(/tripline_rejected_total\{reason="bad_signature"\} [2-9]/);
    } finally {
      await impostor.stop();
    }
  });

  it('pages with limit and since', async () => {
    const client = await modbusClient(stack.gateway.modbusPort);
    for (let i = 0; i < 5; i++) await client.readInputRegisters(i, 1);
    client.close(() => {});
    await waitFor(async () => (await stack.hits('?limit=10000')).filter((h) => h.functionCode === 4).length === 5 || undefined, 2_000, 'five reads');
    const newest = await stack.hits('?limit=2');
    expect(newest.map((h) => h.address)).toEqual([4, 3]);
    const all = await stack.hits('?limit=10000');
    const after = await stack.hits(`?since=${all[4]!.id}&limit=3`);
    expect(after.map((h) => h.id)).toEqual(all.slice(1, 4).map((h) => h.id));
    const res = await fetch(`${stack.console.url}/api/v1/hits?limit=10001`, { headers: { authorization: 'Bearer test-token-0123456789' } });
    expect(res.status).toBe(400);
    expect((await fetch(`${stack.console.url}/api/v1/hits`)).status).toBe(401);
    expect((await fetch(`${stack.console.url}/healthz`)).status).toBe(200);
  });
});

describe('hostile clients', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('keeps relaying after a burst of maximum-size refused writes (batches bounded in bytes)', async () => {
    // 90 pipelined FC15 writes of 1968 coils beyond the 512-coil table: exception 02 each, and
    // each hit keeps all 1968 written values (~11 KB of JSON).
    const frame = Buffer.concat([Buffer.from([0, 1, 0, 0, 0, 253, 1, 15, 0, 0, 0x07, 0xb0, 246]), Buffer.alloc(246, 0xa5)]);
    await rawExchange(stack.gateway.modbusPort, Buffer.concat(Array.from({ length: 90 }, () => frame)), 1_500);
    const client = await modbusClient(stack.gateway.modbusPort);
    await client.readHoldingRegisters(7, 1);
    client.close(() => {});
    await waitFor(async () => (await stack.hits('?limit=10000')).some((h) => h.functionCode === 3 && h.address === 7) || undefined, 10_000, 'the read after the burst');
    expect((await stack.hits('?limit=10000')).filter((h) => h.functionCode === 15 && h.exceptionCode === 2)).toHaveLength(90);
    expect(await stack.metrics()).toMatch(/tripline_rejected_total\{reason="malformed_batch"\} 0\b/);
  });

  it('flushes the replies to good frames before closing on a bad one in the same segment', async () => {
    const good = Buffer.from([0, 9, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1]);
    const bad = Buffer.from([0, 10, 0, 0, 0, 0, 1]);
    const { data, closedByPeer } = await rawExchange(stack.gateway.modbusPort, Buffer.concat([good, bad]), 2_000);
    expect(closedByPeer).toBe(true);
    expect([...data]).toEqual([0, 9, 0, 0, 0, 5, 1, 3, 2, 0, 180]);
  });

  it('closes a connection whose frame stays half-sent', async () => {
    const started = Date.now();
    const { closedByPeer } = await rawExchange(stack.gateway.modbusPort, Buffer.from([0, 1, 0, 0, 0, 6, 1]), 9_000);
    expect(closedByPeer).toBe(true);
    expect(Date.now() - started).toBeGreaterThan(4_000);
    expect(Date.now() - started).toBeLessThan(7_000);
  });

  it('records a connection turned away by the connection limit', async () => {
    const sockets = await Promise.all(Array.from({ length: 8 }, () => openSocket(stack.gateway.modbusPort)));
    try {
      const refused = await rawExchange(stack.gateway.modbusPort, Buffer.alloc(0), 1_000);
      expect(refused.closedByPeer).toBe(true);
      const hit = await waitFor(async () => (await stack.hits()).find((h) => h.outcome === 'refused'), 2_000, 'the refusal hit');
      expect(hit).toMatchObject({ functionCode: null, raw: null, detail: expect.stringMatching(/^connection refused: \d+ open, 8 from this source$/) });
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it('stores and announces a hit once when one batch repeats its id', async () => {
    const { gatewayId, secret } = JSON.parse(readFileSync(stack.enrollmentFile, 'utf8')) as { gatewayId: string; secret: string };
    const hit = { id: '01a23bb2-594b-70ca-bbb9-00000000beef', at: new Date().toISOString(), decoy: 'x', protocol: 'modbus-tcp', src: { ip: '10.0.0.9', port: 1 }, dstPort: 502, unitId: 1, functionCode: 3, address: 0, quantity: 1, values: null, outcome: 'ok', exceptionCode: null, points: [], detail: 'first', raw: null };
    const body = JSON.stringify({ hits: [hit, { ...hit, functionCode: 16, detail: 'second' }] });
    const ts = String(Date.now());
    const res = await fetch(`${stack.console.url}${INGEST_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [Header.gateway]: gatewayId, [Header.timestamp]: ts, [Header.signature]: signBatch(decodeSecret(secret), gatewayId, ts, body) },
      body,
    });
    expect(await res.json()).toEqual({ acked: [hit.id], rejected: [] });
    expect((await stack.hits()).filter((h) => h.id === hit.id).map((h) => h.detail)).toEqual(['first']);
  });
});

function openSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

describe('lost acknowledgements', () => {
  it('does not duplicate a hit when the gateway resends after the ack was lost', async () => {
    // A relay path that delivers the batch to the console but drops the first reply on the floor.
    let target = '';
    let dropped = 0;
    const proxy = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
      const body = Buffer.from(await upstream.arrayBuffer());
      if (dropped === 0 && req.url === INGEST_PATH) {
        dropped++;
        req.socket.destroy();
        return;
      }
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
      res.end(body);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const stack = await startStack({ consoleUrl: `http://127.0.0.1:${(proxy.address() as { port: number }).port}` });
    target = stack.console.url;
    try {
      const client = await modbusClient(stack.gateway.modbusPort);
      await client.readDiscreteInputs(0, 8);
      client.close(() => {});
      await waitFor(() => (stack.gateway.store.outboxDepth() === 0 && dropped === 1) || undefined, 5_000, 'redelivery');
      const hits = await stack.hits();
      expect(hits.filter((h) => h.functionCode === 2)).toHaveLength(1);
      expect(await stack.metrics()).toMatch(/tripline_duplicate_hits_total 1\b/);
      expect(stack.gateway.relay.snapshot().consecutiveFailures).toBe(0);
    } finally {
      await stack.stop();
      proxy.close();
    }
  });
});
