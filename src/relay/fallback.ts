/**
 * Relay policy: DNS first; whatever it cannot deliver goes over HTTP at once; after a failed DNS
 * round, HTTP carries everything until DNS is tried again (every `primaryRetryMs`), and DNS is
 * used again as soon as it works.
 */
import type { Hit } from '../core/hit.js';
import type { Heartbeat } from '../core/heartbeat.js';
import { DeliveryError, type Delivery, type RelayChannel } from './channel.js';

/** Pure state machine; the clock is passed in. */
export class FallbackPolicy {
  private fallbackUntil = 0;

  constructor(private readonly primaryRetryMs: number) {}

  usePrimary(now: number): boolean {
    return now >= this.fallbackUntil;
  }

  primaryFailed(now: number): void {
    this.fallbackUntil = now + this.primaryRetryMs;
  }

  primaryWorked(): void {
    this.fallbackUntil = 0;
  }
}

export class FallbackChannel implements RelayChannel {
  readonly name: string;
  private readonly policy: FallbackPolicy;
  /** Which channel carried the last delivery, for health reporting. */
  lastUsed: string | null = null;

  constructor(
    private readonly primary: RelayChannel,
    private readonly secondary: RelayChannel,
    primaryRetryMs = 60_000,
    private readonly now = Date.now,
  ) {
    this.name = `${primary.name}+${secondary.name}`;
    this.policy = new FallbackPolicy(primaryRetryMs);
  }

  close(): void {
    this.primary.close?.();
    this.secondary.close?.();
  }

  async sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
    if (this.policy.usePrimary(this.now())) {
      try {
        await this.primary.sendHeartbeat(heartbeat);
        this.policy.primaryWorked();
        return;
      } catch {
        this.policy.primaryFailed(this.now());
      }
    }
    await this.secondary.sendHeartbeat(heartbeat);
  }

  async deliver(hits: readonly Hit[]): Promise<Delivery> {
    let remaining = hits;
    const done: Delivery = { acked: [], rejected: [] };
    if (this.policy.usePrimary(this.now())) {
      try {
        const result = await this.primary.deliver(hits);
        this.policy.primaryWorked();
        this.lastUsed = this.primary.name;
        done.acked.push(...result.acked);
        done.rejected.push(...result.rejected);
        const settled = new Set([...result.acked, ...result.rejected]);
        remaining = hits.filter((h) => !settled.has(h.id));
      } catch {
        this.policy.primaryFailed(this.now());
      }
    }
    if (remaining.length === 0) return done;
    try {
      const result = await this.secondary.deliver(remaining);
      this.lastUsed = this.secondary.name;
      done.acked.push(...result.acked);
      done.rejected.push(...result.rejected);
    } catch (err) {
      if (done.acked.length === 0 && done.rejected.length === 0) throw new DeliveryError(`every channel failed; ${this.secondary.name}: ${(err as Error).message}`);
    }
    return done;
  }
}
