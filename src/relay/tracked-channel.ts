/** Wraps a channel to remember how its last attempts went, for heartbeats and `gateway status`. */
import type { Hit } from '../core/hit.js';
import type { ChannelState, Heartbeat } from '../core/heartbeat.js';
import type { Delivery, RelayChannel } from './channel.js';
import type { IncidentReport } from '../core/incident-book.js';

export class TrackedChannel implements RelayChannel {
  readonly state: ChannelState = { lastSuccessAt: null, lastFailureAt: null, lastError: null };

  constructor(private readonly inner: RelayChannel, private readonly onChange?: (name: string, state: ChannelState) => void) {}

  get name(): string {
    return this.inner.name;
  }

  deliver(hits: readonly Hit[]): Promise<Delivery> {
    return this.track(() => this.inner.deliver(hits));
  }

  deliverReports(reports: readonly IncidentReport[]): Promise<string[]> {
    return this.track(() => this.inner.deliverReports(reports));
  }

  sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
    return this.track(() => this.inner.sendHeartbeat(heartbeat));
  }

  close(): void {
    this.inner.close?.();
  }

  private async track<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      const result = await attempt();
      this.state.lastSuccessAt = new Date().toISOString();
      this.state.lastError = null;
      this.onChange?.(this.name, this.state);
      return result;
    } catch (err) {
      this.state.lastFailureAt = new Date().toISOString();
      this.state.lastError = (err as Error).message.slice(0, 500);
      this.onChange?.(this.name, this.state);
      throw err;
    }
  }
}
