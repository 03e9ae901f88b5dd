/**
 * DNS relay channel: hits travel as sealed query names through the site's resolver to the
 * console's authoritative server, which answers each with an A record only it can compute.
 * A lost chunk is resent alone (with a fresh nonce, so no cache answers it).
 */
import type { Hit } from '../../core/hit.js';
import { DeliveryError, type Delivery, type RelayChannel } from '../channel.js';
import { ackAddress, chunkCapacity, deriveDnsKeys, encodeName, gatewayLabel, sealChunk, type Chunk, type DnsKeys } from './envelope.js';
import { packHits, packValue, type OutgoingMessage } from './message.js';
import type { Heartbeat } from '../../core/heartbeat.js';
import { ResolverClient, type ResolverAddress } from './resolver-client.js';
import type { IncidentReport } from '../../core/incident-book.js';
import { TokenBucket } from '../../core/token-bucket.js';

export interface DnsChannelOptions {
  gatewayId: string;
  secret: Buffer;
  zone: string;
  resolver: ResolverAddress;
  /** Per-query wait. */
  timeoutMs?: number;
  /** Rounds of resending unacknowledged chunks, after the first (default 5). */
  retries?: number;
  /** Queries in flight at once, across messages. */
  concurrency?: number;
  /**
   * Queries hit detail may use: a burst, refilled per minute. Incident summaries are exact and
   * paced on their own, so detail beyond this waits for HTTP (or trickles), and a sweep never
   * becomes a DNS flood an IDS would flag. Unlimited when absent.
   */
  hitBudget?: { burst: number; perMinute: number };
}

/** Default hit-detail budget: a probe's first hits go at once; a sweep's bulk goes by HTTP. */
export const DEFAULT_DNS_HIT_BUDGET = { burst: 20, perMinute: 20 };

export class DnsChannel implements RelayChannel {
  readonly name = 'dns';
  private readonly keys: DnsKeys;
  private readonly gwLabel: string;
  private readonly zone: string;
  private readonly capacity: number;
  private readonly client: ResolverClient;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly budget: TokenBucket | null;
  /** Queries sent (first tries and resends), for tests and status. */
  queriesSent = 0;

  constructor(private readonly options: DnsChannelOptions) {
    this.keys = deriveDnsKeys(options.secret);
    this.gwLabel = gatewayLabel(options.gatewayId);
    this.zone = options.zone.toLowerCase().replace(/\.$/, '');
    this.capacity = chunkCapacity(this.gwLabel, this.zone);
    this.client = new ResolverClient(options.resolver, options.timeoutMs ?? 1_500);
    this.budget = options.hitBudget ? new TokenBucket(options.hitBudget.burst, options.hitBudget.perMinute, Date.now()) : null;
  }

  async deliver(hits: readonly Hit[]): Promise<Delivery> {
    const now = Date.now();
    if (this.budget && this.budget.available(now) <= 0) return { acked: [], rejected: [] };
    // Pack only what the budget could carry (a query holds a hit or more), not a 200-hit batch.
    const room = this.budget ? Math.max(1, Math.ceil(this.budget.available(now)) * 2) : hits.length;
    const packed = packHits(hits.slice(0, room), this.capacity).messages;
    // Oldest first while the budget lasts; the rest are left for the other channel or later.
    const messages: OutgoingMessage[] = [];
    for (const m of packed) {
      if (this.budget && !this.budget.take(m.chunks.length, now)) break;
      messages.push(m);
    }
    if (messages.length === 0) return { acked: [], rejected: [] };
    const outcomes = await Promise.all(messages.map((m) => this.sendMessage(m)));
    const acked = messages.filter((_, i) => outcomes[i]).flatMap((m) => m.hits.map((h) => h.id));
    if (acked.length === 0) {
      throw new DeliveryError(`no acknowledgement over DNS via ${this.options.resolver.host}:${this.options.resolver.port} for ${messages.length} message(s)`);
    }
    // Hits too large for DNS, and messages that exhausted their retries, stay unacknowledged:
    // the caller sends them another way or later.
    return { acked, rejected: [] };
  }

  async deliverReports(reports: readonly IncidentReport[]): Promise<string[]> {
    // One message when they fit, else one each; a report too large for DNS is left for HTTP.
    let messages: { message: OutgoingMessage; ids: string[] }[];
    try {
      messages = [{ message: packValue({ incidents: reports }, this.capacity), ids: reports.map((r) => r.id) }];
    } catch {
      messages = [];
      for (const report of reports) {
        try {
          messages.push({ message: packValue({ incidents: [report] }, this.capacity), ids: [report.id] });
        } catch {
          // Oversize: HTTP carries it.
        }
      }
    }
    const outcomes = await Promise.all(messages.map((m) => this.sendMessage(m.message)));
    const acked = messages.filter((_, i) => outcomes[i]).flatMap((m) => m.ids);
    if (acked.length === 0 && messages.length > 0) {
      throw new DeliveryError(`incident reports not acknowledged over DNS via ${this.options.resolver.host}:${this.options.resolver.port}`);
    }
    return acked;
  }

  async sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
    // Two rounds at most: a heartbeat stalled behind DNS retries would look like silence.
    if (!(await this.sendMessage(packValue({ heartbeat }, this.capacity), 2))) {
      throw new DeliveryError(`heartbeat not acknowledged over DNS via ${this.options.resolver.host}:${this.options.resolver.port}`);
    }
  }

  close(): void {
    this.client.close();
  }

  /** True once the console says it stored the message. */
  private async sendMessage(message: OutgoingMessage, rounds = 1 + (this.options.retries ?? 5)): Promise<boolean> {
    // A lost query costs one timeout; on a lossy radio link several rounds are normal.
    let pending: Chunk[] = message.chunks;
    let silentRounds = 0;
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await jitter(100 * round);
      const results = await Promise.all(pending.map((chunk) => this.sendChunk(chunk)));
      if (results.includes('stored')) return true;
      // Two rounds in which not one query was answered: the path is blocked, not lossy (at 30 %
      // loss that happens for a 3-chunk message once in ~1,400 tries). Give up now, so HTTP
      // takes over within seconds instead of after every retry.
      if (results.every((r) => r === 'lost')) {
        if (++silentRounds >= 2) return false;
      } else silentRounds = 0;
      pending = pending.filter((_, i) => results[i] !== 'received');
      // Every chunk was received yet nothing stored: the console lost its partial state
      // (restart); start the message over.
      if (pending.length === 0) pending = message.chunks;
    }
    return false;
  }

  private async sendChunk(chunk: Chunk): Promise<'stored' | 'received' | 'lost'> {
    const { sealed, nonce } = sealChunk(this.keys, this.gwLabel, this.zone, chunk);
    const name = encodeName(sealed, this.gwLabel, this.zone);
    await this.acquire();
    this.queriesSent++;
    try {
      const addresses = await this.client.queryA(name);
      // Only the console can compute these; any other answer (a resolver's synthesised record,
      // a captive portal, an attacker) is ignored. The console sends exactly one record: more
      // would let an on-path forger try many guesses at once.
      if (addresses.length !== 1) return 'lost';
      if (addresses[0] === ackAddress(this.keys, nonce, 'stored')) return 'stored';
      if (addresses[0] === ackAddress(this.keys, nonce, 'received')) return 'received';
      return 'lost';
    } catch {
      return 'lost';
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.inFlight < (this.options.concurrency ?? 32)) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }
}

function jitter(baseMs: number): Promise<void> {
  return new Promise((r) => setTimeout(r, baseMs / 2 + Math.random() * baseMs));
}
