import { describe, expect, it } from 'vitest';
import { IncidentBook, WRITES_PER_REPORT } from './incident-book.js';
import { newHitId, type Hit } from './hit.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let n = 0;
function hit(atMs: number, ip = '10.0.0.1', fn = 3, values: number[] | null = null): Hit {
  return {
    id: newHitId(atMs), at: new Date(atMs).toISOString(), decoy: 'd', protocol: 'modbus-tcp', src: { ip, port: 1000 + (n++ % 1000) },
    dstPort: 502, unitId: 1, functionCode: fn, address: 0, quantity: 1, values, outcome: 'ok', exceptionCode: null, points: [], detail: null, raw: null,
  };
}
const book = () => new IncidentBook(() => newHitId(), 60_000);
const commit = (b: IncidentBook, h: Hit) => {
  const i = b.add(h);
  i.version++;
  return i;
};

describe('the gateway incident book', () => {
  it('groups a source within the quiet gap, and opens a new incident after it or for another source', () => {
    const b = book();
    const first = commit(b, hit(T0));
    expect(commit(b, hit(T0 + 59_000)).id).toBe(first.id);
    expect(commit(b, hit(T0 + 59_000, '10.0.0.2')).id).not.toBe(first.id);
    expect(commit(b, hit(T0 + 120_000)).id).not.toBe(first.id);
  });

  it('reports a new incident at once, then paces updates until acknowledged changes pile up', () => {
    const b = book();
    commit(b, hit(T0));
    const [report] = b.due(T0);
    expect(report).toMatchObject({ version: 1, hitCount: 1 });
    b.acknowledged([report!], T0);
    commit(b, hit(T0 + 100));
    expect(b.due(T0 + 1_000)).toEqual([]);
    expect(b.nextDueAt()).toBe(T0 + 5_000);
    expect(b.due(T0 + 5_000)).toMatchObject([{ version: 2, hitCount: 2 }]);
  });

  it('reports a rise in severity at once, whatever the pace', () => {
    const b = book();
    commit(b, hit(T0));
    b.acknowledged(b.due(T0), T0);
    commit(b, hit(T0 + 100, '10.0.0.1', 6, [1]));
    expect(b.due(T0 + 200)).toMatchObject([{ severity: 'critical', writeCount: 1 }]);
  });

  it('sends written values a slice at a time and is done only when all are acknowledged', () => {
    const b = book();
    for (let k = 0; k < WRITES_PER_REPORT + 3; k++) commit(b, hit(T0 + k, '10.0.0.1', 6, [k]));
    const [first] = b.due(T0 + 100);
    expect(first!.writes.map((w) => w.values[0])).toEqual([...Array(WRITES_PER_REPORT).keys()]);
    expect(first!.writeCount).toBe(WRITES_PER_REPORT + 3);
    b.acknowledged([first!], T0 + 100);
    const [second] = b.due(T0 + 10_000);
    expect(second!.writes.map((w) => w.values[0])).toEqual([8, 9, 10]);
    b.acknowledged([second!], T0 + 10_000);
    expect(b.nextDueAt()).toBeNull();
  });

  it('an acknowledgement of an older version leaves the newer changes due', () => {
    const b = book();
    commit(b, hit(T0));
    const [old] = b.due(T0);
    commit(b, hit(T0 + 1));
    b.acknowledged([old!], T0 + 2);
    expect(b.nextDueAt()).not.toBeNull();
  });
});
