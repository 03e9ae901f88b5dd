/**
 * Slows password guessing: each source (an IPv4 address, or an IPv6 /64, which one host can
 * fill) may try 5 logins in a burst, then one per 12 seconds; all sources together 600 a minute,
 * which bounds the scrypt work a botnet can cause without letting a handful of addresses lock the
 * admin out. Bounded memory: the oldest sources are forgotten first. Pure; the clock is passed in.
 */
import { KeyedBudget } from '../../core/keyed-budget.js';

export class LoginLimiter {
  private readonly budget = new KeyedBudget({ burst: 5, perMinute: 5 }, { burst: 600, perMinute: 600 });

  /** True if this source may try a password now (and counts the try). */
  attempt(address: string, now: number): boolean {
    return this.budget.take(sourceOf(address), now);
  }

  /** Seconds until this source may try again (for Retry-After). */
  retryAfterSeconds(address: string, now: number): number {
    return this.budget.retryAfterSeconds(sourceOf(address), now);
  }
}

/** IPv6 sources count per /64; IPv4 (and IPv4-mapped) per address. */
export function sourceOf(address: string): string {
  if (!address.includes(':') || address.startsWith('::ffff:')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
