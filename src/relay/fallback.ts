/**
 * Relay policy: the primary channel (DNS) first; whatever it cannot deliver goes over the
 * secondary (HTTP) at once; after a failed primary round, the secondary carries everything until
 * the primary is tried again (every `primaryRetryMs`), and the primary is used again as soon as it
 * works.
 */
import type { Hit } from '../core/hit.js';
import type { Heartbeat } from '../core/heartbeat.js';
import type { IncidentReport } from '../core/incident-book.js';
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
    const done: Delivery = { acked: [], rejected: [] };
    await this.split(hits, (h) => h.id, async (channel, batch) => {
      const result = await channel.deliver(batch);
      done.acked.push(...result.acked);
      done.rejected.push(...result.rejected);
      return [...result.acked, ...result.rejected];
    });
    return done;
  }

  async deliverReports(reports: readonly IncidentReport[]): Promise<string[]> {
    const acked: string[] = [];
    await this.split(reports, (r) => r.id, async (channel, batch) => {
      const ids = await channel.deliverReports(batch);
      acked.push(...ids);
      return ids;
    });
    return acked;
  }

  /**
   * Offers everything to the primary (unless it recently failed), the rest to the secondary.
   * Throws only when nothing at all was settled.
   */
  private async split<T>(items: readonly T[], idOf: (item: T) => string, send: (channel: RelayChannel, batch: readonly T[]) => Promise<string[]>): Promise<void> {
    let remaining = items;
    let settled = 0;
    if (this.policy.usePrimary(this.now())) {
      try {
        const ids = new Set(await send(this.primary, items));
        this.policy.primaryWorked();
        this.lastUsed = this.primary.name;
        settled += ids.size;
        remaining = items.filter((item) => !ids.has(idOf(item)));
      } catch {
        this.policy.primaryFailed(this.now());
      }
    }
    if (remaining.length === 0) return;
    try {
      await send(this.secondary, remaining);
      this.lastUsed = this.secondary.name;
    } catch (err) {
      if (settled === 0) throw new DeliveryError(`every channel failed; ${this.secondary.name}: ${(err as Error).message}`);
    }
  }
}
