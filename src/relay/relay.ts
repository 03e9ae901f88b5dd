/**
 * The relay loop: drains the outbox through a channel, oldest first. An entry leaves the outbox
 * only when the console's authenticated reply names it, so delivery is at-least-once; the
 * console de-duplicates by hit id.
 */
import type { Logger } from 'pino';
import type { GatewayStore } from '../gateway/store.js';
import type { RelayChannel } from './channel.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { Sleeper } from './sleeper.js';

export interface RelayOptions {
  batchSize?: number;
  /** JSON bytes per batch; well under the console's 1 MiB body limit. */
  batchBytes?: number;
  backoff?: BackoffPolicy;
}

export interface RelayStatus {
  channel: string;
  delivered: number;
  consecutiveFailures: number;
  lastError: string | null;
  lastSuccessAt: string | null;
}

export class Relay {
  private running = false;
  private readonly sleeper = new Sleeper();
  private loop: Promise<void> | null = null;
  private readonly status: RelayStatus;

  constructor(
    private readonly store: GatewayStore,
    private readonly channel: RelayChannel,
    private readonly log: Logger,
    private readonly options: RelayOptions = {},
  ) {
    this.status = { channel: channel.name, delivered: 0, consecutiveFailures: 0, lastError: null, lastSuccessAt: null };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New hits are waiting: skip any idle wait (but not a backoff after failure). */
  wake(): void {
    if (this.status.consecutiveFailures === 0) this.sleeper.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.wake();
    await this.loop;
  }

  snapshot(): RelayStatus {
    return { ...this.status };
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 200;
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    while (this.running) {
      const entries = this.store.pending(batchSize, this.options.batchBytes ?? 256 * 1024);
      if (entries.length === 0) {
        await this.sleep(5_000);
        continue;
      }
      try {
        const { acked, rejected } = await this.channel.deliver(entries.map((e) => e.hit));
        this.store.acknowledge([...acked, ...rejected]);
        if (rejected.length > 0) this.log.error({ rejected }, 'console refused hits as invalid');
        if (this.status.consecutiveFailures > 0) this.log.info({ channel: this.channel.name, after: this.status.consecutiveFailures }, 'relay delivering again');
        this.status.delivered += acked.length;
        this.status.consecutiveFailures = 0;
        this.status.lastError = null;
        this.status.lastSuccessAt = new Date().toISOString();
      } catch (err) {
        this.status.consecutiveFailures++;
        this.status.lastError = (err as Error).message;
        this.store.noteAttempt(entries);
        const delay = backoffDelay(backoff, this.status.consecutiveFailures);
        this.log.warn({ channel: this.channel.name, err: (err as Error).message, retryInMs: delay, pending: entries.length }, 'relay delivery failed');
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.sleeper.sleep(ms);
  }
}
