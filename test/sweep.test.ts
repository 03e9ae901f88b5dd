/**
 * A scanner's 10,000-request register sweep reaches the console as one incident with exact
 * counts, at a cost of a few dozen DNS queries: the gateway sends paced incident summaries over
 * DNS, and the bulk of the hit detail over HTTP (or keeps it queued when only DNS works).
 */
import { describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';
import { pipelinedSweep } from './helpers/modbus.js';
import { waitFor } from './helpers/net.js';

const SWEEP = 10_000;
/** The bound on what the gateway itself sends for one sweep. */
const MAX_QUERIES = 50;

interface IncidentView {
  kind: string;
  hitCount: number;
  hitsReceived: number;
  counts: Record<string, number>;
  detail: { ranges: Record<string, [number, number][]> };
}

async function intrusions(stack: Stack): Promise<IncidentView[]> {
  const list = ((await (await stack.api('/api/v1/incidents')).json()) as { incidents: IncidentView[] }).incidents;
  return list.filter((i) => i.kind === 'intrusion');
}

/** Starts a stack relaying over DNS straight to the console, heartbeats out of the way. */
async function dnsStack(consoleUrl?: string): Promise<Stack> {
  const stack = await startStack({ dns: true, resolverPort: (port) => port, consoleUrl, heartbeatIntervalSeconds: 3_600, dnsTimeoutMs: 500 });
  // The start-up heartbeat is not part of the sweep.
  await waitFor(() => (stack.gateway.dnsQueries() > 0 ? true : undefined), 5_000, 'the first heartbeat');
  await new Promise((r) => setTimeout(r, 200));
  return stack;
}

describe('a 10,000-request register sweep', () => {
  it('is one incident with exact counts, every hit follows over HTTP, and DNS carried at most ~50 queries', async () => {
    const stack = await dnsStack();
    try {
      const before = stack.gateway.dnsQueries();
      expect(await pipelinedSweep(stack.gateway.modbusPort, SWEEP)).toBe(SWEEP);
      const incident = await waitFor(async () => (await intrusions(stack)).find((i) => i.hitCount === SWEEP && i.hitsReceived === SWEEP), 30_000, 'the whole sweep at the console');
      expect(incident.counts).toEqual({ FC3: SWEEP });
      expect(incident.detail.ranges).toEqual({ holdingRegisters: [[0, 1999]] });
      expect(await intrusions(stack)).toHaveLength(1);
      expect(stack.console.store.listHits({ limit: SWEEP + 10 })).toHaveLength(SWEEP);
      // Let the paced summaries finish, then count.
      await waitFor(() => (stack.gateway.store.unreportedIncidents() === 0 ? true : undefined), 30_000, 'the last summary');
      const queries = stack.gateway.dnsQueries() - before;
      console.log(`sweep of ${SWEEP}: ${queries} DNS queries from the gateway`);
      expect(queries).toBeLessThanOrEqual(MAX_QUERIES);
      expect(queries).toBeGreaterThan(0);
    } finally {
      await stack.stop();
    }
  }, 90_000);

  it('with only DNS working, the incident is still exact while the hit detail waits in the outbox', async () => {
    const stack = await dnsStack('http://127.0.0.1:9');
    try {
      const before = stack.gateway.dnsQueries();
      expect(await pipelinedSweep(stack.gateway.modbusPort, SWEEP)).toBe(SWEEP);
      const incident = await waitFor(async () => (await intrusions(stack)).find((i) => i.hitCount === SWEEP), 30_000, 'the exact summary');
      expect(incident.counts).toEqual({ FC3: SWEEP });
      expect(incident.hitsReceived).toBeLessThan(SWEEP);
      const received = stack.console.store.listHits({ limit: SWEEP }).length;
      expect(received).toBeLessThan(100);
      expect(stack.gateway.store.outboxDepth()).toBe(SWEEP - received);
      const queries = stack.gateway.dnsQueries() - before;
      console.log(`DNS-only sweep of ${SWEEP}: ${queries} DNS queries, ${received} hits' detail delivered, ${SWEEP - received} waiting`);
      expect(queries).toBeLessThanOrEqual(MAX_QUERIES);
    } finally {
      await stack.stop();
    }
  }, 90_000);
});
