/**
 * A token bucket that may go into debt: a request is allowed while the balance is positive and
 * then pays its full cost, so a message needing more tokens than the bucket holds still goes
 * (rarely) instead of never. Pure; the clock is passed in.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly capacity: number, private readonly perMinute: number, now: number) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Takes `cost` tokens if any are left; false (and nothing taken) otherwise. */
  take(cost: number, now: number): boolean {
    this.refill(now);
    if (this.tokens <= 0) return false;
    this.tokens -= cost;
    return true;
  }

  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perMinute) / 60_000);
    this.updatedAt = now;
  }
}
