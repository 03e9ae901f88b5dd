import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleStore } from './store.js';
import { IncidentTracker } from './incidents.js';
import { IncidentBook } from '../core/incident-book.js';
import { newHitId, type Hit } from '../core/hit.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
function hit(k: number, values: number[] | null = null): Hit {
  return {
    id: newHitId(T0 + k), at: new Date(T0 + k).toISOString(), decoy: 'd', protocol: 'modbus-tcp', src: { ip: '10.1.1.1', port: 5000 },
    dstPort: 502, unitId: 1, functionCode: values ? 6 : 3, address: k % 100, quantity: 1, values, outcome: 'ok', exceptionCode: null, points: [], detail: null, raw: null,
  };
}

function setup() {
  const store = new ConsoleStore(join(mkdtempSync(join(tmpdir(), 'tripline-incidents-')), 'console.db'));
  const gw = store.enrollGateway('gw');
  const tracker = new IncidentTracker(store);
  const book = new IncidentBook(() => newHitId());
  /** What the gateway does: book every hit, one commit. */
  const record = (hits: Hit[]) => {
    const touched = new Set(hits.map((h) => {
      const i = book.add(h);
      h.incident = i.id;
      return i;
    }));
    for (const i of touched) i.version++;
  };
  return { store, gw, tracker, book, record };
}

describe('console incidents from reports and hits', () => {
  it('count each hit once whether it arrives in a report, as detail, or both, in any order', () => {
    const { store, gw, tracker, book, record } = setup();
    const hits = Array.from({ length: 50 }, (_, k) => hit(k, k === 7 ? [99] : null));
    record(hits.slice(0, 30));
    const early = book.due(T0);
    record(hits.slice(30));
    const late = book.due(T0);
    tracker.onHits(gw.id, hits.slice(0, 40));
    tracker.onReports(gw.id, late);
    tracker.onReports(gw.id, early); // older version, arriving late: ignored
    tracker.onHits(gw.id, hits.slice(40));
    const [incident] = store.listIncidents(10);
    expect(incident).toMatchObject({ hitCount: 50, reportVersion: late[0]!.version, fromHits: { hitCount: 50 } });
    expect((incident!.detail as { counts: object }).counts).toEqual({ FC3: 49, FC6: 1 });
    expect((incident!.detail as { writes: { values: number[] }[] }).writes.map((w) => w.values)).toEqual([[99]]);
    expect(store.listIncidents(10)).toHaveLength(1);
  });

  it('shows a report\'s exact counts before any hit detail has arrived', () => {
    const { store, gw, tracker, book, record } = setup();
    record(Array.from({ length: 1000 }, (_, k) => hit(k)));
    tracker.onReports(gw.id, book.due(T0));
    expect(store.listIncidents(10)[0]).toMatchObject({ hitCount: 1000, fromHits: null, detail: { counts: { FC3: 1000 } } });
  });
});

describe('hostile incident reports', () => {
  it('are refused when they name unknown tables or come from the future, and count once when repeated', async () => {
    const { acceptReports } = await import('./accept-hits.js');
    const { ConsoleMetrics } = await import('./metrics.js');
    const { pino } = await import('pino');
    const { store, gw, tracker, book, record } = setup();
    record(Array.from({ length: 10 }, (_, k) => hit(k)));
    const [report] = book.due(T0);
    const deps = { store, metrics: new ConsoleMetrics(), log: pino({ level: 'silent' }), onNewHits: () => {}, incidents: tracker };
    const acked = acceptReports(deps, gw.id, [
      { ...report, ranges: { constructor: [[0, 5]] } },
      { ...report, id: newHitId(), lastSeen: '9999-12-31T23:59:59Z' },
    ], 'http');
    expect(acked).toHaveLength(2); // settled: resending cannot help
    expect(store.listIncidents(10)).toHaveLength(0);
    acceptReports(deps, gw.id, Array.from({ length: 50 }, () => report), 'http');
    expect(store.listIncidents(10)).toMatchObject([{ hitCount: 10 }]);
  });
});
