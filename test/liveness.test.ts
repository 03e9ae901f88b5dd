/**
 * Store-and-forward across outages, heartbeats and silence, and incidents built from hits:
 * in-process console and gateway on loopback sockets and SQLite files.
 */
import { describe, expect, it } from 'vitest';
import { startStack } from './helpers/stack.js';
import { waitFor } from './helpers/net.js';
import { modbusClient } from './helpers/modbus.js';
import { runCli } from './helpers/cli.js';
import { join } from 'node:path';

interface GatewayView {
  id: string;
  status: string;
  heartbeatAt: string | null;
  heartbeatVia: string | null;
  silentSince: string | null;
  heartbeat: { gatewayTime: string; intervalSeconds: number; outboxDepth: number; channels: Record<string, { lastSuccessAt: string | null }> } | null;
}
interface IncidentView {
  id: number;
  kind: string;
  status: string;
  severity: string;
  hitCount: number;
  src: { ip: string } | null;
  counts: Record<string, number>;
  writes: { address: number; values: number[] }[];
  detail: { ranges: Record<string, [number, number][]> };
}

describe('heartbeats and silence', () => {
  it('lists heartbeats (over DNS), marks a stopped gateway silent with an incident, and clears it on return', async () => {
    const stack = await startStack({ dns: true, resolverPort: (dnsPort) => dnsPort, heartbeatIntervalSeconds: 1, silentAfterMissed: 2 });
    try {
      const gateways = async () => ((await (await stack.api('/api/v1/gateways')).json()) as { gateways: GatewayView[] }).gateways;
      const incidents = async () => ((await (await stack.api('/api/v1/incidents')).json()) as { incidents: IncidentView[] }).incidents;

      const first = await waitFor(async () => (await gateways()).find((g) => g.status === 'ok'), 5_000, 'a heartbeat');
      expect(first.heartbeatVia).toBe('dns');
      expect(first.heartbeat).toMatchObject({ intervalSeconds: 1, outboxDepth: 0, gatewayTime: expect.any(String) });
      expect(first).not.toHaveProperty('secret');

      // The operator's view from the gateway's side, read from its data directory.
      const status = runCli(['gateway', 'status', '--data', join(stack.dir, 'gateway')]);
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/^outbox depth\s+0$/m);
      expect(status.stdout).toMatch(/^dns\s+last ack 20\d\d-/m);

      await stack.stopGateway();
      const silent = await waitFor(async () => (await gateways()).find((g) => g.status === 'silent'), 6_000, 'silence');
      expect(Date.parse(silent.silentSince!) - Date.parse(silent.heartbeatAt!)).toBeGreaterThanOrEqual(2_000);
      expect((await incidents()).filter((i) => i.kind === 'gateway-silent')).toMatchObject([{ status: 'open', severity: 'high' }]);

      await stack.startGateway();
      await waitFor(async () => (await gateways()).find((g) => g.status === 'ok'), 5_000, 'the gateway heard again');
      expect((await incidents()).filter((i) => i.kind === 'gateway-silent')).toMatchObject([{ status: 'cleared' }]);
    } finally {
      await stack.stop();
    }
  });
});

describe('outages', () => {
  it('delivers every hit recorded while the console was down, once, in recording order', async () => {
    const stack = await startStack();
    try {
      await stack.restartConsole(1_500, async () => {
        const client = await modbusClient(stack.gateway.modbusPort);
        for (let i = 0; i < 50; i++) await client.writeRegister(200 + i, i);
        client.close(() => {});
        expect(stack.gateway.store.outboxDepth()).toBe(50);
      });
      const hits = await waitFor(async () => {
        const all = (await stack.hits('?limit=1000')).filter((h) => h.functionCode === 6);
        return all.length >= 50 ? all : undefined;
      }, 10_000, 'the backlog');
      expect(hits).toHaveLength(50);
      // Newest first at the API: reversed, the console's order is the order of recording.
      expect(hits.reverse().map((h) => h.address)).toEqual(Array.from({ length: 50 }, (_, i) => 200 + i));
      expect(stack.gateway.store.outboxDepth()).toBe(0);
    } finally {
      await stack.stop();
    }
  });
});

describe('a full outbox', () => {
  it('keeps writes and first hits whole during an outage, folds repeated reads, and reports the folds', async () => {
    const stack = await startStack({ outboxLimit: 10, heartbeatIntervalSeconds: 1 });
    try {
      await stack.restartConsole(500, async () => {
        const client = await modbusClient(stack.gateway.modbusPort);
        for (let i = 0; i < 40; i++) await client.readHoldingRegisters(i, 1);
        await client.writeRegister(0, 222);
        client.close(() => {});
      });
      const hits = await waitFor(async () => {
        const all = await stack.hits('?limit=1000');
        return all.some((h) => h.functionCode === 6) && stack.gateway.store.outboxDepth() === 0 ? all : undefined;
      }, 10_000, 'the queued hits');
      expect(hits.filter((h) => h.functionCode === 3)).toHaveLength(10);
      expect(hits.find((h) => h.functionCode === 6)?.values).toEqual([222]);
      const gateway = await waitFor(async () => {
        const list = ((await (await stack.api('/api/v1/gateways')).json()) as { gateways: { heartbeat: { folded: number; folds: { count: number; functionCode: number }[] } | null }[] }).gateways;
        return list.find((g) => g.heartbeat?.folded === 30);
      }, 5_000, 'the folds reported in a heartbeat');
      expect(gateway.heartbeat!.folds).toMatchObject([{ count: 30, functionCode: 3, srcIp: '127.0.0.1', outcome: 'ok' }]);
      const status = runCli(['gateway', 'status', '--data', join(stack.dir, 'gateway')]);
      expect(status.stdout).toMatch(/^folded hits\s+30$/m);
    } finally {
      await stack.stop();
    }
  });
});

describe('intrusion incidents', () => {
  it('folds a register sweep from one source into one incident with exact counts, ranges and written values', async () => {
    const stack = await startStack();
    try {
      const client = await modbusClient(stack.gateway.modbusPort);
      for (let a = 0; a < 400; a++) await client.readHoldingRegisters(a * 5, 5);
      await client.writeRegister(0, 275);
      await client.readCoils(0, 16);
      client.close(() => {});
      const incident = await waitFor(async () => {
        const list = ((await (await stack.api('/api/v1/incidents')).json()) as { incidents: IncidentView[] }).incidents;
        return list.find((i) => i.kind === 'intrusion' && i.hitCount === 402);
      }, 10_000, 'the incident');
      expect(incident.src).toEqual({ ip: '127.0.0.1' });
      expect(incident.counts).toEqual({ FC3: 400, FC6: 1, FC1: 1 });
      expect(incident.severity).toBe('critical');
      expect(incident.writes).toMatchObject([{ address: 0, values: [275] }]);
      expect(incident.detail.ranges).toEqual({ holdingRegisters: [[0, 1999]], coils: [[0, 15]] });
      const all = ((await (await stack.api('/api/v1/incidents')).json()) as { incidents: IncidentView[] }).incidents;
      expect(all.filter((i) => i.kind === 'intrusion')).toHaveLength(1);
    } finally {
      await stack.stop();
    }
  });
});
