/**
 * The DNS relay through real parts: the console's authoritative server on loopback UDP/TCP,
 * Debian's unbound as the site resolver (QNAME minimisation, 0x20 case randomisation), dig as an
 * outside client, and fake resolvers for what must never count as an acknowledgement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startStack, ZONE, type Stack } from './helpers/stack.js';
import { hasTool, waitFor } from './helpers/net.js';
import { runAsync } from './helpers/cli.js';
import { modbusClient } from './helpers/modbus.js';
import { startUnbound, type Unbound } from './helpers/unbound.js';
import { aQuery, queryUdp, startFakeDns } from './helpers/fake-dns.js';
import { DnsChannel } from '../src/relay/dns/dns-channel.js';
import { gatewayLabel } from '../src/relay/dns/envelope.js';
import { base32Encode } from '../src/relay/dns/base32.js';
import { decodeGenericData } from '../src/relay/canarytokens/generic-data.js';
import { decodeSecret } from '../src/relay/wire.js';
import { readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { Hit } from '../src/core/hit.js';

const metric = (text: string, name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);

describe('hits relayed over DNS through unbound', () => {
  let stack: Stack;
  let unbound: Unbound | undefined;
  const haveUnbound = hasTool('unbound', 'DNS relay through unbound');

  beforeAll(async () => {
    if (!haveUnbound) return;
    stack = await startStack({
      dns: true,
      resolverPort: async (dnsPort) => {
        unbound = await startUnbound(ZONE, dnsPort);
        return unbound.port;
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await unbound?.stop();
  });

  it('delivers a Modbus read with via "dns"; minimised partial names are answered, not counted as forgeries', async () => {
    if (!haveUnbound) return;
    const client = await modbusClient(stack.gateway.modbusPort);
    await client.readHoldingRegisters(10, 4);
    await client.writeRegisters(40, [0x4142, 0x4344]);
    client.close(() => {});
    const hits = await waitFor(async () => {
      const all = await stack.hits();
      return all.length >= 2 ? all : undefined;
    }, 5_000, 'two hits via DNS');
    expect(hits.map((h) => [h.functionCode, h.via])).toEqual([[16, 'dns'], [3, 'dns']]);
    expect(hits[0]).toMatchObject({ values: [0x4142, 0x4344], points: ['Station.Name'], src: { ip: '127.0.0.1' } });
    const metrics = await stack.metrics();
    expect(metric(metrics, 'tripline_dns_queries_total{kind="data"}')).toBeGreaterThanOrEqual(2);
    // unbound walked down the name: the console saw the partial names and answered them.
    expect(metric(metrics, 'tripline_dns_queries_total{kind="partial"}')).toBeGreaterThanOrEqual(1);
    expect(metric(metrics, 'tripline_rejected_total{reason="forged_name"}')).toBe(0);
    expect(stack.gateway.store.outboxDepth()).toBe(0);
  });

  it('carries a batch too large for one name in several chunks', async () => {
    if (!haveUnbound) return;
    const client = await modbusClient(stack.gateway.modbusPort);
    // 123 registers written: values and raw bytes make a payload of several chunks.
    await client.writeRegisters(100, Array.from({ length: 123 }, (_, i) => (i * 7919) & 0xffff));
    client.close(() => {});
    const hit = await waitFor(async () => (await stack.hits()).find((h) => h.quantity === 123), 5_000, 'the large write');
    expect(hit.via).toBe('dns');
    expect(hit.values).toHaveLength(123);
  });
});

describe('the console as an authoritative server', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ dns: true });
  });
  afterAll(async () => stack?.stop());

  it('answers SOA and NS at the apex with AA, over UDP and TCP, and refuses other zones (dig)', async () => {
    if (!hasTool('dig', 'dig against the console')) return;
    const port = String(stack.console.dnsPort);
    for (const transport of ['+notcp', '+tcp']) {
      const soa = (await runAsync('dig', ['@127.0.0.1', '-p', port, transport, 'SOA', ZONE])).stdout;
      expect(soa).toMatch(/status: NOERROR/);
      expect(soa).toMatch(/flags: qr aa/);
      expect(soa).toMatch(new RegExp(`^${ZONE}\\.\\s+\\d+\\s+IN\\s+SOA\\s+ns1\\.${ZONE}\\.`, 'm'));
      const ns = (await runAsync('dig', ['@127.0.0.1', '-p', port, transport, 'NS', ZONE])).stdout;
      expect(ns).toMatch(/flags: qr aa/);
      expect(ns).toMatch(new RegExp(`IN\\s+NS\\s+ns1\\.${ZONE}\\.`));
      expect((await runAsync('dig', ['@127.0.0.1', '-p', port, transport, 'A', 'www.example.org'])).stdout).toMatch(/status: REFUSED/);
    }
  });

  it('echoes the letter case of the question exactly (0x20) and answers empty non-terminals with NODATA', async () => {
    const name = `Ab.Cd.0011223344556677.CaNaRy.ExAmPlE.nEt`;
    const reply = await queryUdp(stack.console.dnsPort!, aQuery(name));
    expect(reply.questions?.[0]?.name).toBe(name);
    expect((reply as { rcode?: string }).rcode).toBe('NOERROR');
    expect(reply.answers).toEqual([]);
    expect(reply.authorities?.[0]?.type).toBe('SOA');
  });

  it('creates no hit from forged, altered or replayed names, and counts them', async () => {
    // Capture genuine names on their way to the console.
    const captured: string[] = [];
    const proxy = await startFakeDns(async (name, query) => {
      captured.push(name);
      return forward(query, stack.console.dnsPort!);
    });
    const enrollment = JSON.parse(readFileSync(stack.enrollmentFile, 'utf8'));
    const channel = new DnsChannel({ gatewayId: enrollment.gatewayId, secret: decodeSecret(enrollment.secret), zone: ZONE, resolver: { host: '127.0.0.1', port: proxy.port } });
    const hit = sampleHit();
    expect((await channel.deliver([hit])).acked).toEqual([hit.id]);
    channel.close();
    await proxy.close();
    const genuine = captured.find((n) => n.split('.').length > 4)!;
    const before = (await stack.hits('?limit=10000')).length;

    const gw = gatewayLabel(enrollment.gatewayId);
    const forged = `1${base32Encode(randomBytes(60)).toLowerCase().slice(0, 61)}.${gw}.${ZONE}`;
    const firstChar = genuine[1] === 'a' ? 'b' : 'a';
    const altered = genuine[0] + firstChar + genuine.slice(2);
    for (const name of [forged, altered, genuine, genuine]) await queryUdp(stack.console.dnsPort!, aQuery(name));

    expect((await stack.hits('?limit=10000')).length).toBe(before);
    const metrics = await stack.metrics();
    expect(metric(metrics, 'tripline_rejected_total{reason="forged_name"}')).toBe(2);
    expect(metric(metrics, 'tripline_rejected_total{reason="replayed_name"}')).toBe(2);
  });

  it('never takes an answer the console did not produce as an acknowledgement', async () => {
    const enrollment = JSON.parse(readFileSync(stack.enrollmentFile, 'utf8'));
    const secret = decodeSecret(enrollment.secret);
    // A resolver that synthesises answers (captive portal, wildcard, attacker).
    const liar = await startFakeDns(() => ['203.0.113.7']);
    // One that answers every name with the address the console gave for the first: a replay of
    // a genuine acknowledgement onto other queries.
    let genuineAddress: string[] | undefined;
    const replayer = await startFakeDns(async (_name, query) => {
      if (genuineAddress) return genuineAddress;
      const reply = dnsPacket.decode(await forward(query, stack.console.dnsPort!));
      genuineAddress = (reply.answers ?? []).filter((a) => a.type === 'A').map((a) => String((a as { data: unknown }).data));
      return genuineAddress;
    });
    try {
      for (const fake of [liar, replayer]) {
        const channel = new DnsChannel({ gatewayId: enrollment.gatewayId, secret, zone: ZONE, resolver: { host: '127.0.0.1', port: fake.port }, timeoutMs: 200, retries: 1 });
        const hits = fake === replayer ? [sampleHit(), sampleHit()] : [sampleHit()];
        // The replayer's first query is genuine; deliver the first hit alone, then the next.
        if (fake === replayer) expect((await channel.deliver([hits[0]!])).acked).toEqual([hits[0]!.id]);
        await expect(channel.deliver([hits[hits.length - 1]!])).rejects.toThrow(/no acknowledgement over DNS/);
        channel.close();
      }
    } finally {
      await liar.close();
      await replayer.close();
    }
  });

  it('reports new incidents to a Canarytokens DNS token in the generic-data format', async () => {
    const hostname = 'pz7xkq2m4w1e8r3tyh6nb0vc5.canarytokens.example';
    const server = await startFakeDns(() => ['52.18.63.80']);
    const withToken = await startStack({ canarytoken: { hostname, resolverPort: server.port } });
    try {
      const client = await modbusClient(withToken.gateway.modbusPort);
      await client.readHoldingRegisters(0, 2);
      await client.readHoldingRegisters(2, 2); // same source and decoy: same incident, no second lookup
      client.close(() => {});
      await waitFor(() => server.names.length >= 1 || undefined, 3_000, 'the token lookup');
      await new Promise((r) => setTimeout(r, 300));
      expect(server.names).toHaveLength(1);
      const name = server.names[0]!;
      expect(name.length).toBeLessThanOrEqual(253);
      const labels = name.slice(0, -hostname.length - 1).split('.');
      expect(labels.some((l) => /^L\d\d$/.test(l))).toBe(false);
      expect(labels.every((l) => l.length <= 63)).toBe(true);
      // The server's documented rule: drop the dots, base32-decode what precedes the G<dd> label.
      const text = decodeGenericData(name, hostname);
      expect(text).toMatch(/^test-gw water-lift-station from 127\.0\.0\.1 FC3@0 unit 1 [0-9a-f]{6}$/);
    } finally {
      await withToken.stop();
      await server.close();
    }
  });
});

function forward(query: Buffer, port: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (m) => {
      socket.close();
      resolve(m);
    });
    socket.send(query, port, '127.0.0.1');
  });
}

let counter = 0;
function sampleHit(): Hit {
  const id = `01a23bb2-594b-70ca-bbb9-${(Date.now() * 1000 + counter++).toString(16).padStart(12, '0').slice(-12)}`;
  return {
    id, at: new Date().toISOString(), decoy: 'water-lift-station', protocol: 'modbus-tcp', src: { ip: '10.1.2.3', port: 40000 }, dstPort: 502,
    unitId: 1, functionCode: 3, address: 0, quantity: 1, values: null, outcome: 'ok', exceptionCode: null, points: [], detail: null, raw: '000100000006010300000001',
  };
}
