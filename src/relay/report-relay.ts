/**
 * Relays incident summaries ahead of, and independently of, hit detail: a backlog of hits (or a
 * dead HTTP path) never delays the console learning that an incident started or grew. Summaries
 * are paced by the report policy; each is marked sent only on the console's authenticated ack.
 */
import type { Logger } from 'pino';
import type { GatewayStore } from '../gateway/store.js';
import type { RelayChannel } from './channel.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { Sleeper } from './sleeper.js';

/** Longest idle wait: due times move when hits arrive, and a wake-up covers that. */
const IDLE_MS = 5_000;
/** JSON bytes per batch of reports: well under the console's 1 MiB body limit. */
const MAX_REPORT_BATCH_BYTES = 256 * 1024;

/** The oldest reports that fit in `maxBytes` of JSON (always at least one). */
function withinBytes<T>(reports: readonly T[], maxBytes: number): T[] {
  const out: T[] = [];
  let bytes = 0;
  for (const report of reports) {
    bytes += JSON.stringify(report).length;
    if (out.length > 0 && bytes > maxBytes) break;
    out.push(report);
  }
  return out;
}

export class ReportRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private failures = 0;
  private readonly sleeper = new Sleeper();
  /** Reports the console acknowledged, for status and tests. */
  delivered = 0;

  constructor(
    private readonly store: GatewayStore,
    private readonly channel: RelayChannel,
    private readonly log: Logger,
    private readonly backoff: BackoffPolicy = DEFAULT_BACKOFF,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Hits were recorded: a new incident's first report is due at once. */
  wake(): void {
    if (this.failures === 0) this.sleeper.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const reports = withinBytes(this.store.dueReports(), MAX_REPORT_BATCH_BYTES);
      if (reports.length === 0) {
        const next = this.store.incidents.nextDueAt();
        await this.sleeper.sleep(next === null ? IDLE_MS : Math.min(IDLE_MS, Math.max(10, next - Date.now())));
        continue;
      }
      try {
        const acked = new Set(await this.channel.deliverReports(reports));
        this.store.reportsAcknowledged(reports.filter((r) => acked.has(r.id)));
        this.delivered += acked.size;
        if (acked.size === 0) throw new Error('no report acknowledged');
        this.failures = 0;
      } catch (err) {
        this.failures++;
        const delay = backoffDelay(this.backoff, this.failures);
        this.log.warn({ channel: this.channel.name, err: (err as Error).message, retryInMs: delay, reports: reports.length }, 'incident report failed');
        await this.sleeper.sleep(delay);
      }
    }
  }
}
