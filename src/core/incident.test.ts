import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptySummary, foldHit, mergeSummaries, type IncidentSummary } from './incident.js';
import type { Hit } from './hit.js';
import { newHitId } from './hit.js';

function hit(n: number, fn: number, address: number, values: number[] | null = null): Hit {
  return {
    id: newHitId(1_700_000_000_000 + n), at: new Date(1_700_000_000_000 + n).toISOString(), decoy: 'd', protocol: 'modbus-tcp',
    src: { ip: '10.0.0.9', port: 40000 }, dstPort: 502, unitId: 1, functionCode: fn, address, quantity: 1, values,
    outcome: 'ok', exceptionCode: null, points: [], detail: null, raw: null,
  };
}

const summarise = (hits: readonly Hit[]): IncidentSummary => {
  const s = emptySummary(hits[0]?.at ?? '2023-11-14T22:13:20.000Z');
  for (const h of hits) foldHit(s, h);
  return s;
};

const arbitraryHits = fc.array(
  fc.record({ fn: fc.constantFrom(1, 3, 4, 6, 16), address: fc.integer({ min: 0, max: 300 }), value: fc.integer({ min: 0, max: 0xffff }) }),
  { minLength: 1, maxLength: 120 },
).map((specs) => specs.map((s, n) => hit(n, s.fn, s.address, s.fn === 6 || s.fn === 16 ? [s.value] : null)));

describe('incident summaries', () => {
  it('merged with any prefix of the same hits (a report, or hits relayed so far), equal the summary of all', () => {
    fc.assert(
      fc.property(arbitraryHits, fc.nat(), (hits, cut) => {
        const whole = summarise(hits);
        const part = summarise(hits.slice(0, cut % (hits.length + 1)));
        const merged = mergeSummaries(part.hitCount === 0 ? whole : part, whole);
        expect(merged).toEqual(whole);
        expect(mergeSummaries(whole, part.hitCount === 0 ? whole : part)).toEqual(whole);
      }),
    );
  });

  it('never count a hit twice: merging a summary with itself changes nothing', () => {
    fc.assert(fc.property(arbitraryHits, (hits) => {
      expect(mergeSummaries(summarise(hits), summarise(hits))).toEqual(summarise(hits));
    }));
  });

  it('keep exact counts, merged ranges, written values and the highest severity', () => {
    const s = summarise([hit(0, 3, 0), hit(1, 3, 1), hit(2, 3, 5), hit(3, 6, 2, [7])]);
    expect(s).toMatchObject({ hitCount: 4, counts: { FC3: 3, FC6: 1 }, severity: 'critical', ranges: { holdingRegisters: [[0, 2], [5, 5]] } });
    expect(s.writes).toMatchObject([{ functionCode: 6, address: 2, values: [7] }]);
  });
});

describe('incident summaries against hostile input', () => {
  it('count unknown function codes as FCother and keep written values small', () => {
    const hits = Array.from({ length: 256 }, (_, fc) => hit(fc, fc, 0));
    const s = summarise(hits);
    expect(Object.keys(s.counts).length).toBeLessThanOrEqual(20);
    expect(s.counts.FCother).toBeGreaterThan(200);
    const big = summarise([hit(0, 16, 0, Array.from({ length: 123 }, (_, i) => i))]);
    expect(big.writes[0]).toMatchObject({ valueCount: 123, values: [0, 1, 2, 3, 4, 5, 6, 7] });
  });

  it('merge maps whose keys are Object.prototype names', () => {
    const a = { ...summarise([hit(0, 3, 0)]), counts: JSON.parse('{"constructor": 2, "toString": 1}') as Record<string, number> };
    const merged = mergeSummaries(a, summarise([hit(1, 3, 0)]));
    expect(merged.counts).toEqual({ constructor: 2, toString: 1, FC3: 1 });
  });
});
