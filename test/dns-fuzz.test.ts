/** 100k hostile packets over UDP and TCP at the console's DNS port: it keeps answering. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startStack, ZONE, type Stack } from './helpers/stack.js';
import { fuzzDns } from './helpers/dns-fuzz.js';
import { aQuery, queryUdp } from './helpers/fake-dns.js';
import { gatewayLabel } from '../src/relay/dns/envelope.js';
import { DnsResponder } from '../src/console/dns/responder.js';
import { mutate, prng, seedQueries } from './helpers/dns-mutations.js';

describe('console DNS under hostile packets', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ dns: true });
  });
  afterAll(async () => stack?.stop());

  it('never throws out of the responder (property, 50k mutations)', () => {
    const responder = new DnsResponder({ zones: [ZONE], onData: () => '1.2.3.4', onQuery: () => {}, onForged: () => {} });
    const rand = prng(42);
    const seeds = seedQueries(ZONE, '0011223344556677');
    for (let i = 0; i < 50_000; i++) {
      const reply = responder.respond(mutate(seeds[i % seeds.length]!, rand), i % 2 ? 'udp' : 'tcp');
      if (reply && !(reply instanceof Promise) && i % 2) expect(reply.length).toBeLessThanOrEqual(1232);
    }
  });

  it('keeps answering valid queries through 100k packets over UDP and TCP', async () => {
    const { gatewayId } = JSON.parse(readFileSync(stack.enrollmentFile, 'utf8')) as { gatewayId: string };
    const report = await fuzzDns({ port: stack.console.dnsPort!, zone: ZONE, gwLabel: gatewayLabel(gatewayId), udp: 70_000, tcp: 30_000, seed: 7 });
    expect(report.udpSent + report.tcpSent).toBe(100_000);
    expect(report.probesAnswered).toBe(report.probes);
    const soa = await queryUdp(stack.console.dnsPort!, aQuery(ZONE, 'SOA'));
    expect(soa.answers?.[0]?.type).toBe('SOA');
    expect((await fetch(`${stack.console.url}/healthz`)).status).toBe(200);
  }, 120_000);
});

describe('console DNS and spoofed sources', () => {
  it('survives a query from source port 0 (sent over a raw socket)', async () => {
    if (process.getuid?.() !== 0) {
      console.warn('SKIP source port 0: needs root for a raw socket');
      return;
    }
    const stack = await startStack({ dns: true });
    try {
      const query = aQuery(ZONE, 'SOA').toString('hex');
      // IPv4 header is filled in by the kernel for IPPROTO_RAW only with IP_HDRINCL; build UDP alone.
      const script = `
import socket, struct
payload = bytes.fromhex("${query}")
udp = struct.pack("!HHHH", 0, ${stack.console.dnsPort}, 8 + len(payload), 0) + payload
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.sendto(udp, ("127.0.0.1", 0))
`;
      const { execFileSync } = await import('node:child_process');
      execFileSync('/usr/bin/python3', ['-c', script]);
      await new Promise((r) => setTimeout(r, 200));
      const soa = await queryUdp(stack.console.dnsPort!, aQuery(ZONE, 'SOA'));
      expect(soa.answers?.[0]?.type).toBe('SOA');
    } finally {
      await stack.stop();
    }
  });
});
