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
import { Header, INGEST_PATH, signBatch } from '../src/relay/wire.js';
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
      if (dropped === 0) {
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
