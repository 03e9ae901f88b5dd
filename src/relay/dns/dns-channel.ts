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
}

export class DnsChannel implements RelayChannel {
  readonly name = 'dns';
  private readonly keys: DnsKeys;
  private readonly gwLabel: string;
  private readonly zone: string;
  private readonly capacity: number;
  private readonly client: ResolverClient;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: DnsChannelOptions) {
    this.keys = deriveDnsKeys(options.secret);
    this.gwLabel = gatewayLabel(options.gatewayId);
    this.zone = options.zone.toLowerCase().replace(/\.$/, '');
    this.capacity = chunkCapacity(this.gwLabel, this.zone);
    this.client = new ResolverClient(options.resolver, options.timeoutMs ?? 1_500);
  }

  async deliver(hits: readonly Hit[]): Promise<Delivery> {
    const { messages } = packHits(hits, this.capacity);
    const outcomes = await Promise.all(messages.map((m) => this.sendMessage(m)));
    const acked = messages.filter((_, i) => outcomes[i]).flatMap((m) => m.hits.map((h) => h.id));
    if (acked.length === 0) {
      throw new DeliveryError(`no acknowledgement over DNS via ${this.options.resolver.host}:${this.options.resolver.port} for ${messages.length} message(s)`);
    }
    // Hits too large for DNS, and messages that exhausted their retries, stay unacknowledged:
    // the caller sends them another way or later.
    return { acked, rejected: [] };
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
