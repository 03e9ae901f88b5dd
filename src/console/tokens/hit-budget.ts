/**
 * How many token hits the console stores. The token path is public and the intruder who tripped
 * a canary may flood it to fill the console's disk and silence every other alert. The first hits
 * of each token and source are stored in full (the alert is in the first one); beyond 10 in a
 * burst and then 20 a minute per token and source, or 600 a minute in all, hits are only counted
 * (`tripline_token_hits_limited_total`). Bounded memory: the oldest sources are forgotten first.
 */
import { KeyedBudget } from '../../core/keyed-budget.js';

export class HitBudget {
  private readonly budget = new KeyedBudget({ burst: 10, perMinute: 20 }, { burst: 200, perMinute: 600 });

  allow(key: string, now: number): boolean {
    return this.budget.take(key, now);
  }
}
