/**
 * Data names → hits. Opens each chunk with its gateway's key, drops forgeries and replays,
 * reassembles messages, stores their hits and returns the authenticated acknowledgement.
 */
import { ackAddress, deriveDnsKeys, gatewayIdFromLabel, openChunk, type DnsKeys, type ParsedName } from '../../relay/dns/envelope.js';
import { unpackPayload } from '../../relay/dns/message.js';
import { HeartbeatEnvelope, MAX_BATCH_HITS, ProbeEnvelope, ReportEnvelope, decodeSecret } from '../../relay/wire.js';
import { acceptHits, acceptReports, type AcceptDeps, type Accepted } from '../accept-hits.js';
import type { RecordHeartbeat } from '../heartbeats.js';
import { BoundedSet } from './bounded-set.js';

interface Partial {
  count: number;
  parts: (Buffer | undefined)[];
  received: number;
  createdAt: number;
}

/** Bounds: at most this many half-assembled messages, each kept this long. */
const MAX_PARTIAL_MESSAGES = 4096;
const PARTIAL_TTL_MS = 15 * 60_000;
const KEY_CACHE_MS = 5_000;

export class DnsIngest {
  private readonly keys = new Map<string, { value: { keys: DnsKeys; revoked: boolean } | null; fetchedAt: number }>();
  private readonly seenNonces = new BoundedSet(200_000);
  private readonly completed = new BoundedSet(50_000);
  private readonly partials = new Map<string, Partial>();

  constructor(private readonly deps: AcceptDeps & { recordHeartbeat: RecordHeartbeat }, private readonly now = Date.now) {}

  /**
   * Returns the acknowledgement address, or a promise of it when the chunk completes a message:
   * messages completed in one turn of the event loop are stored in one transaction (group
   * commit), and each is acknowledged only after that commit.
   */
  handle(parsed: Extract<ParsedName, { kind: 'data' }>, zone: string): string | Promise<string | undefined> | undefined {
    const gatewayId = gatewayIdFromLabel(parsed.gwLabel);
    const gateway = this.gatewayKeys(gatewayId);
    if (!gateway) return this.reject('unknown_gateway');
    if (gateway.revoked) return this.reject('revoked_gateway');
    const chunk = openChunk(gateway.keys, parsed.gwLabel, zone, parsed.sealed);
    if (!chunk) return this.reject('forged_name');

    const messageKey = `${gatewayId}:${chunk.msgId.toString('hex')}`;
    const nonceKey = `${gatewayId}:${chunk.nonce.toString('hex')}`;
    if (this.seenNonces.has(nonceKey)) {
      // A resolver's retransmission or a replay: answer again (the first answer may have been
      // lost), create nothing.
      this.deps.metrics.rejected.inc({ reason: 'replayed_name' });
      return ackAddress(gateway.keys, chunk.nonce, this.completed.has(messageKey) ? 'stored' : 'received');
    }
    this.seenNonces.add(nonceKey);
    if (this.completed.has(messageKey)) return ackAddress(gateway.keys, chunk.nonce, 'stored');

    // An unpooled copy: a pooled one would pin an 8 KiB slab for each 100-byte chunk held.
    const data = Buffer.allocUnsafeSlow(chunk.data.length);
    chunk.data.copy(data);
    const payload = this.assemble(messageKey, chunk.index, chunk.count, data);
    if (payload === 'mismatch') return this.reject('malformed_batch');
    if (!payload) return ackAddress(gateway.keys, chunk.nonce, 'received');

    const value = unpackPayload(payload);
    if (Array.isArray(value) && value.length > MAX_BATCH_HITS) return this.reject('malformed_batch');
    const heartbeat = HeartbeatEnvelope.safeParse(value);
    if (heartbeat.success) {
      if (this.deps.recordHeartbeat(gatewayId, heartbeat.data.heartbeat, 'dns') === 'stale') return this.reject('stale_heartbeat');
      this.completed.add(messageKey);
      return ackAddress(gateway.keys, chunk.nonce, 'stored');
    }
    if (ProbeEnvelope.safeParse(value).success) {
      // A doctor's test message: proves the path and the key, changes nothing.
      this.completed.add(messageKey);
      return ackAddress(gateway.keys, chunk.nonce, 'stored');
    }
    const reports = ReportEnvelope.safeParse(value);
    if (reports.success) {
      acceptReports(this.deps, gatewayId, reports.data.incidents, 'dns');
      this.completed.add(messageKey);
      return ackAddress(gateway.keys, chunk.nonce, 'stored');
    }
    if (!Array.isArray(value)) return this.reject('malformed_batch');
    return this.commit(gatewayId, value).then((result) => {
      if (result.inserted === 0 && result.duplicates > 0) this.deps.metrics.rejected.inc({ reason: 'replayed_name' });
      this.completed.add(messageKey);
      return ackAddress(gateway.keys, chunk.nonce, 'stored');
    });
  }

  private queue: { gatewayId: string; items: unknown[]; resolve: (r: Accepted) => void; reject: (e: unknown) => void }[] = [];

  private commit(gatewayId: string, items: unknown[]): Promise<Accepted> {
    if (this.queue.length === 0) setImmediate(() => this.flush());
    return new Promise((resolve, reject) => this.queue.push({ gatewayId, items, resolve, reject }));
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    try {
      const results = this.deps.store.transaction(() => batch.map((m) => acceptHits(this.deps, m.gatewayId, m.items, 'dns')));
      batch.forEach((m, i) => m.resolve(results[i]!));
    } catch (err) {
      // Not stored: no acknowledgement, the gateway resends.
      this.deps.log.error({ err }, 'storing hits from DNS failed');
      for (const m of batch) m.reject(err);
    }
  }

  /** A name under a gateway label that cannot be one of ours: forged if the gateway exists. */
  malformed(gwLabel: string): void {
    this.reject(this.gatewayKeys(gatewayIdFromLabel(gwLabel)) ? 'forged_name' : 'unknown_gateway');
  }

  private reject(reason: 'unknown_gateway' | 'revoked_gateway' | 'forged_name' | 'malformed_batch' | 'stale_heartbeat'): undefined {
    this.deps.metrics.rejected.inc({ reason });
    return undefined;
  }

  /**
   * Keys cached briefly (unknown ids too), so a flood of labels costs few database reads, while
   * an enrollment or revocation by another process takes effect within KEY_CACHE_MS.
   */
  private gatewayKeys(gatewayId: string) {
    const cached = this.keys.get(gatewayId);
    if (cached && this.now() - cached.fetchedAt < KEY_CACHE_MS) return cached.value ?? undefined;
    const record = this.deps.store.gateway(gatewayId);
    if (this.keys.size > 10_000) this.keys.clear();
    const value = record ? { keys: deriveDnsKeys(decodeSecret(record.secret)), revoked: record.revokedAt !== null } : null;
    this.keys.set(gatewayId, { value, fetchedAt: this.now() });
    return value ?? undefined;
  }

  /** Drops a gateway's cached keys at once (revoked or rotated here): no grace for a stolen secret. */
  forget(gatewayId: string): void {
    this.keys.delete(gatewayId);
  }

  /** Adds a chunk; returns the whole payload once every chunk is in. */
  private assemble(key: string, index: number, count: number, data: Buffer): Buffer | undefined | 'mismatch' {
    if (count === 1) return data;
    let partial = this.partials.get(key);
    if (!partial) {
      this.expirePartials();
      partial = { count, parts: new Array(count), received: 0, createdAt: this.now() };
      this.partials.set(key, partial);
    }
    if (partial.count !== count) return 'mismatch';
    if (!partial.parts[index]) {
      partial.parts[index] = data;
      partial.received++;
    }
    if (partial.received < count) return undefined;
    this.partials.delete(key);
    return Buffer.concat(partial.parts as Buffer[]);
  }

  private expirePartials(): void {
    const cutoff = this.now() - PARTIAL_TTL_MS;
    for (const [key, p] of this.partials) {
      // Map iteration is insertion order: oldest first.
      if (p.createdAt >= cutoff && this.partials.size < MAX_PARTIAL_MESSAGES) break;
      this.partials.delete(key);
    }
  }
}
