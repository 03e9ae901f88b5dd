import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { ConsoleStore } from '../store.js';
import { Notifier } from './notifier.js';
import { WebhookDestination } from './webhook.js';
import { parseFilter } from './filter.js';
import type { IncidentEvent } from './event.js';

const event = (classification: string, severity = 'critical'): IncidentEvent => ({
  id: `e-${classification}-${severity}`, type: 'incident.opened', at: '2026-01-01T00:00:00.000Z',
  incident: { id: 1, kind: 'intrusion', gatewayId: 'g', gatewayName: 'g', decoy: 'd', src: '10.0.0.1', severity, classification, techniques: [], firstSeen: '', lastSeen: '', hitCount: 1, counts: {}, writes: [], users: [] },
});

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('notifier status', () => {
  it('queues only what each destination filter passes, and flags a destination failing longer than the threshold', async () => {
    const store = new ConsoleStore(join(mkdtempSync(join(tmpdir(), 'tripline-notifier-')), 'console.db'));
    const port = await closedPort();
    let clock = Date.parse('2026-01-01T00:00:00.000Z');
    const all = new WebhookDestination({ url: `http://127.0.0.1:${port}/all?token=SECRET`, display: 'webhook:all' });
    const redOnly = new WebhookDestination({ url: `http://127.0.0.1:${port}/red`, display: 'webhook:red', filter: parseFilter('red') });
    const notifier = new Notifier(store.db, [all, redOnly], pino({ level: 'silent' }), () => clock, 10 * 60_000);
    try {
      store.transaction(() => {
        notifier.enqueue(event('yellow', 'high'));
        notifier.enqueue(event('red'));
        notifier.enqueue(event('whitelisted'));
      });
      expect(notifier.snapshot().map((s) => [s.name, s.pending, s.filter])).toEqual([['webhook:all', 2, null], ['webhook:red', 1, 'red']]);

      notifier.start(60_000);
      await new Promise((r) => setTimeout(r, 500));
      const failing = notifier.snapshot()[0]!;
      expect(failing).toMatchObject({ failingSince: '2026-01-01T00:00:00.000Z', failingForMs: 0, permanent: false, attention: false, pending: 2, delivered: 0 });
      expect(failing.lastError).toMatch(/^POST webhook:all: ECONNREFUSED$/);
      clock += 9 * 60_000;
      expect(notifier.snapshot()[0]).toMatchObject({ failingForMs: 9 * 60_000, attention: false });
      clock += 60_000;
      expect(notifier.snapshot()[0]).toMatchObject({ failingForMs: 10 * 60_000, attention: true });
    } finally {
      notifier.stop();
      store.close();
    }
  });
});
