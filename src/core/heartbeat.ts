/** What a gateway says about itself every interval, so the console can tell silence from calm. */
export interface ChannelState {
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
}

export interface Heartbeat {
  /** Gateway clock: kept beside the console's, since clocks at the edge drift. */
  gatewayTime: string;
  /** Seconds until the next heartbeat: the console's yardstick for "silent". */
  intervalSeconds: number;
  outboxDepth: number;
  /** When the oldest undelivered hit was recorded (gateway clock). */
  oldestPendingAt: string | null;
  channels: Record<string, ChannelState>;
  /** Low-value hits counted instead of queued while the outbox was full, and the largest groups. */
  folded: number;
  folds: { srcIp: string; decoy: string; functionCode: number | null; outcome: string; count: number; lastAt: string }[];
  version: string;
}
