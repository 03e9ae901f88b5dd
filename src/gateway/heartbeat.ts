/** Sends the gateway's heartbeat every interval, over the relay's channels (DNS first). */
import type { Logger } from 'pino';
import type { Heartbeat } from '../core/heartbeat.js';
import type { RelayChannel } from '../relay/channel.js';
import type { GatewayStore } from './store.js';

export const VERSION = '0.1.0';

export class Heartbeater {
  private timer: NodeJS.Timeout | undefined;
  private sending = false;

  constructor(
    private readonly channel: RelayChannel,
    private readonly store: GatewayStore,
    private readonly intervalSeconds: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalSeconds * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  current(): Heartbeat {
    return {
      gatewayTime: new Date().toISOString(),
      intervalSeconds: this.intervalSeconds,
      outboxDepth: this.store.outboxDepth(),
      oldestPendingAt: this.store.oldestPendingAt(),
      channels: this.store.channelStates(),
      folded: this.store.foldedTotal(),
      folds: this.store.folds(10).map(({ firstAt: _firstAt, ...fold }) => fold),
      version: VERSION,
    };
  }

  private async beat(): Promise<void> {
    if (this.sending) return; // a slow beat is not stacked on
    this.sending = true;
    try {
      await this.channel.sendHeartbeat(this.current());
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'heartbeat not acknowledged');
    } finally {
      this.sending = false;
    }
  }
}
