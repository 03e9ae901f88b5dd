import { describe, expect, it } from 'vitest';
import { HitBudget } from './hit-budget.js';

describe('token hit budget', () => {
  it('stores a burst of 10 per token and source, then 20 a minute, and keeps other sources apart', () => {
    const budget = new HitBudget();
    const t0 = 1_000_000;
    const allowed = Array.from({ length: 50 }, () => budget.allow('tok|10.0.0.1', t0)).filter(Boolean).length;
    expect(allowed).toBe(10);
    expect(budget.allow('tok|10.0.0.2', t0)).toBe(true);
    expect(budget.allow('tok|10.0.0.1', t0 + 3_000)).toBe(true); // 20 a minute: one per 3 s
    expect(budget.allow('tok|10.0.0.1', t0 + 3_100)).toBe(false);
  });

  it('caps everyone together at a burst of 200, whatever the number of sources', () => {
    const budget = new HitBudget();
    const allowed = Array.from({ length: 1_000 }, (_, i) => budget.allow(`tok|10.0.${i >> 8}.${i & 255}`, 5_000)).filter(Boolean).length;
    expect(allowed).toBe(200);
  });
});
