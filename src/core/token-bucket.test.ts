import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('token bucket', () => {
  it('allows a burst, then refills at its rate, and lets one oversized request into debt', () => {
    const b = new TokenBucket(10, 60, 0);
    expect(b.take(8, 0)).toBe(true);
    expect(b.take(8, 0)).toBe(true); // 2 left: allowed, now -6
    expect(b.take(1, 0)).toBe(false);
    expect(b.take(1, 6_000)).toBe(false); // -6 + 6 = 0
    expect(b.take(1, 7_000)).toBe(true);
    expect(b.available(10 * 60_000)).toBe(10);
  });
});
