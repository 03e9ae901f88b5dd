import { describe, expect, it } from 'vitest';
import { LoginLimiter, sourceOf } from './login-limiter.js';

describe('login limiter', () => {
  it('allows 5 tries in a burst per source, then one per 12 s', () => {
    const limiter = new LoginLimiter();
    expect(Array.from({ length: 8 }, () => limiter.attempt('192.0.2.1', 0))).toEqual([true, true, true, true, true, false, false, false]);
    expect(limiter.attempt('192.0.2.2', 0)).toBe(true);
    expect(limiter.attempt('192.0.2.1', 12_000)).toBe(true);
    expect(limiter.retryAfterSeconds('192.0.2.1', 12_000)).toBeGreaterThan(0);
  });

  it('counts an IPv6 /64 as one source, however its host bits vary', () => {
    const limiter = new LoginLimiter();
    const tries = Array.from({ length: 8 }, (_, i) => limiter.attempt(`2001:db8:1:2::${i + 1}`, 0));
    expect(tries.filter(Boolean)).toHaveLength(5);
    expect(limiter.attempt('2001:db8:1:3::1', 0)).toBe(true);
    expect(sourceOf('2001:DB8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceOf('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
  });

  it('does not let a dozen addresses lock everyone out', () => {
    const limiter = new LoginLimiter();
    for (let a = 0; a < 15; a++) for (let i = 0; i < 5; i++) limiter.attempt(`198.51.100.${a}`, 0);
    expect(limiter.attempt('203.0.113.9', 0)).toBe(true);
  });
});
