/**
 * The one place a hit becomes durable: every decoy protocol hands its hits here. Hits arriving
 * in the same turn of the event loop, from any connection, share one transaction (group
 * commit); each caller is released only after that commit.
 */
import type { Hit } from '../core/hit.js';
import type { GatewayStore } from './store.js';

export interface HitRecorder {
  /** Resolves once the hit is committed; rejects if it could not be. */
  record(hit: Hit): Promise<void>;
}

interface Waiting {
  hit: Hit;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommitRecorder implements HitRecorder {
  private readonly listeners: ((hits: readonly Hit[]) => void)[] = [];
  private queue: Waiting[] = [];

  constructor(private readonly store: GatewayStore) {}

  record(hit: Hit): Promise<void> {
    if (this.queue.length === 0) setImmediate(() => this.flush());
    return new Promise((resolve, reject) => this.queue.push({ hit, resolve, reject }));
  }

  /** Called after each commit with the hits it made durable. */
  onRecorded(listener: (hits: readonly Hit[]) => void): void {
    this.listeners.push(listener);
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    const hits = batch.map((w) => w.hit);
    try {
      this.store.recordMany(hits);
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) w.resolve();
    for (const listener of this.listeners) listener(hits);
  }
}
