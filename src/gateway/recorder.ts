/** The one place a hit becomes durable: every decoy protocol hands its hits here. */
import type { Hit } from '../core/hit.js';
import type { GatewayStore } from './store.js';

export interface HitRecorder {
  /** Returns once the hit is committed; throws if it could not be. */
  record(hit: Hit): void;
}

export class DurableRecorder implements HitRecorder {
  private readonly listeners: ((hit: Hit) => void)[] = [];

  constructor(private readonly store: GatewayStore) {}

  record(hit: Hit): void {
    this.store.record(hit);
    for (const listener of this.listeners) listener(hit);
  }

  onRecorded(listener: (hit: Hit) => void): void {
    this.listeners.push(listener);
  }
}
