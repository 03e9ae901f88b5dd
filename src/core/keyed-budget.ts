/**
 * A rate budget per key (a source address, a token and its source) under an overall one: a
 * request passes when both its key's bucket and the overall bucket have a token left, and then
 * takes one from each. Bounded memory: beyond `maxKeys` the oldest key is forgotten. Pure; the
 * clock is passed in.
 */
import { TokenBucket } from './token-bucket.js';

export interface Rate {
  burst: number;
  perMinute: number;
}

export class KeyedBudget {
  private readonly keys = new Map<string, TokenBucket>();
  private overall: TokenBucket | undefined;

  constructor(private readonly perKey: Rate, private readonly all: Rate, private readonly maxKeys = 10_000) {}

  /** True (and one token taken from each bucket) when `key` may go now. */
  take(key: string, now: number): boolean {
    this.overall ??= new TokenBucket(this.all.burst, this.all.perMinute, now);
    let bucket = this.keys.get(key);
    if (!bucket) {
      if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
      bucket = new TokenBucket(this.perKey.burst, this.perKey.perMinute, now);
      this.keys.set(key, bucket);
    }
    if (bucket.available(now) < 1 || this.overall.available(now) < 1) return false;
    bucket.take(1, now);
    this.overall.take(1, now);
    return true;
  }

  /** Seconds until `key` may go again, at the per-key rate. */
  retryAfterSeconds(key: string, now: number): number {
    const own = this.keys.get(key)?.available(now) ?? this.perKey.burst;
    const missing = Math.max(1 - own, 1 - (this.overall?.available(now) ?? this.all.burst), 0);
    return Math.max(1, Math.ceil((missing * 60) / this.perKey.perMinute));
  }
}
