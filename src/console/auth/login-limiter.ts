/**
 * Slows password guessing: each source (an IPv4 address, or an IPv6 /64, which one host can
 * fill) may try 5 logins in a burst, then one per 12 seconds; all sources together 600 a minute,
 * which bounds the scrypt work a botnet can cause without letting a handful of addresses lock the
 * admin out. Bounded memory: the oldest sources are forgotten first. Pure; the clock is passed in.
 */
import { TokenBucket } from '../../core/token-bucket.js';

const PER_SOURCE_BURST = 5;
const PER_SOURCE_PER_MINUTE = 5;
const GLOBAL_PER_MINUTE = 600;
const MAX_SOURCES = 10_000;

export class LoginLimiter {
  private readonly sources = new Map<string, TokenBucket>();
  private readonly global: TokenBucket;

  constructor(now: number) {
    this.global = new TokenBucket(GLOBAL_PER_MINUTE, GLOBAL_PER_MINUTE, now);
  }

  /** True if this source may try a password now (and counts the try). */
  attempt(address: string, now: number): boolean {
    const source = sourceOf(address);
    let bucket = this.sources.get(source);
    if (!bucket) {
      if (this.sources.size >= MAX_SOURCES) this.sources.delete(this.sources.keys().next().value!);
      bucket = new TokenBucket(PER_SOURCE_BURST, PER_SOURCE_PER_MINUTE, now);
      this.sources.set(source, bucket);
    }
    if (bucket.available(now) < 1) return false;
    if (this.global.available(now) < 1) return false;
    bucket.take(1, now);
    this.global.take(1, now);
    return true;
  }

  /** Seconds until this source may try again (for Retry-After). */
  retryAfterSeconds(address: string, now: number): number {
    const source = sourceOf(address);
    const own = this.sources.get(source)?.available(now) ?? PER_SOURCE_BURST;
    const missing = Math.max(1 - own, 1 - this.global.available(now), 0);
    return Math.max(1, Math.ceil((missing * 60) / PER_SOURCE_PER_MINUTE));
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
