/**
 * How many token hits the console stores. The token path is public and the intruder who tripped
 * a canary may flood it to fill the console's disk and silence every other alert. The first hits
 * of each token and source are stored in full (the alert is in the first one); beyond 10 in a
 * burst and then 20 a minute per token and source, or 600 a minute in all, hits are only counted
 * (`tripline_token_hits_limited_total`). Bounded memory: the oldest sources are forgotten first.
 */
import { TokenBucket } from '../../core/token-bucket.js';

const PER_SOURCE_BURST = 10;
const PER_SOURCE_PER_MINUTE = 20;
const GLOBAL_BURST = 200;
const GLOBAL_PER_MINUTE = 600;
const MAX_KEYS = 10_000;

export class HitBudget {
  private readonly sources = new Map<string, TokenBucket>();
  private global: TokenBucket | undefined;

  allow(key: string, now: number): boolean {
    this.global ??= new TokenBucket(GLOBAL_BURST, GLOBAL_PER_MINUTE, now);
    let bucket = this.sources.get(key);
    if (!bucket) {
      if (this.sources.size >= MAX_KEYS) this.sources.delete(this.sources.keys().next().value!);
      bucket = new TokenBucket(PER_SOURCE_BURST, PER_SOURCE_PER_MINUTE, now);
      this.sources.set(key, bucket);
    }
    if (bucket.available(now) < 1 || this.global.available(now) < 1) return false;
    bucket.take(1, now);
    this.global.take(1, now);
    return true;
  }
}
