/**
 * Notifications that never drop an alert: each destination has a durable queue in the console's
 * SQLite (filled in the same transaction that opened or escalated the incident), delivered in
 * order, removed only once the destination took it. An unreachable destination delays, with
 * backoff; a destination failing for long is reported (status, metrics), never skipped.
 * Each destination's filter is applied here, when the event is queued.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/open.js';
import type { IncidentEvent } from './event.js';
import { formatFilter, passes, type EventFilter } from './filter.js';

export interface Destination {
  /** Stable key, e.g. `webhook:https://siem.example/hook`: the queue's key (may hold secrets). */
  readonly name: string;
  /** What logs, metrics and status show (no secret); the key when absent. */
  readonly display?: string;
  /** Which events this destination hears of (all when absent). */
  readonly filter?: EventFilter | null;
  /** Resolves once the destination accepted the event; throws otherwise (a DeliveryError when it knows more). */
  send(event: IncidentEvent): Promise<void>;
  close?(): void;
}

/** A failed delivery; `permanent` when retrying cannot help until the operator acts (rejected credentials, gone webhook, untrusted certificate). */
export class DeliveryError extends Error {
  constructor(message: string, readonly permanent = false) {
    super(message);
  }
}

/** TLS verification failures (OpenSSL codes as Node reports them): retrying will not fix them. */
const CERTIFICATE_CODES = /^(?:ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_\w+|HOSTNAME_MISMATCH)$/;

export function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CERTIFICATE_CODES.test(code);
}

export interface DestinationStatus {
  /** The display name: no secret in it. */
  name: string;
  filter: string | null;
  pending: number;
  failingSince: string | null;
  /** How long it has been failing (null when delivering). */
  failingForMs: number | null;
  lastError: string | null;
  /** The last failure needs the operator: retrying alone will not fix it (the queue is still kept and retried). */
  permanent: boolean;
  /** Highlight it: failing permanently, or for longer than the notifier's attention threshold. */
  attention: boolean;
  delivered: number;
}

interface Held {
  failingSince: number | null;
  lastError: string | null;
  permanent: boolean;
  delivered: number;
}

const BATCH = 20;
const MAX_BACKOFF_MS = 5 * 60_000;
/** A destination failing this long is flagged for attention by default. */
export const ATTENTION_AFTER_MS = 10 * 60_000;

export class Notifier {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly status = new Map<string, Held>();
  private readonly busy = new Set<string>();
  private readonly insert;
  private readonly due;
  private readonly remove;
  private readonly retry;

  private readonly depth;

  constructor(
    private readonly db: Db,
    private readonly destinations: readonly Destination[],
    private readonly log: Logger,
    private readonly now = Date.now,
    private readonly attentionAfterMs = ATTENTION_AFTER_MS,
  ) {
    this.depth = db.prepare('SELECT count(*) AS n FROM notifications WHERE destination = ?');
    this.insert = db.prepare('INSERT INTO notifications (destination, event, next_at) VALUES (?, ?, ?)');
    this.due = db.prepare('SELECT seq, event, attempts, next_at FROM notifications WHERE destination = ? ORDER BY seq LIMIT ?');
    this.remove = db.prepare('DELETE FROM notifications WHERE seq = ?');
    this.retry = db.prepare('UPDATE notifications SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE seq = ?');
    for (const d of destinations) this.status.set(d.name, { failingSince: null, lastError: null, permanent: false, delivered: 0 });
  }

  /** Queues the event for every destination whose filter passes it; call inside the transaction that caused it. */
  enqueue(event: IncidentEvent): void {
    const json = JSON.stringify(event);
    let queued = false;
    for (const d of this.destinations) {
      if (!passes(d.filter ?? null, event)) continue;
      this.insert.run(d.name, json, this.now());
      queued = true;
    }
    if (queued) queueMicrotask(() => this.kick());
  }

  start(intervalMs = 1_000): void {
    this.running = true;
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    this.running = false;
    clearInterval(this.timer);
    for (const d of this.destinations) d.close?.();
  }

  snapshot(): DestinationStatus[] {
    const now = this.now();
    return this.destinations.map((d) => {
      const s = this.status.get(d.name)!;
      const failingForMs = s.failingSince === null ? null : Math.max(0, now - s.failingSince);
      return {
        name: d.display ?? d.name,
        filter: d.filter ? formatFilter(d.filter) : null,
        pending: this.db.open ? (this.depth.get(d.name) as { n: number }).n : 0,
        failingSince: s.failingSince === null ? null : new Date(s.failingSince).toISOString(),
        failingForMs,
        lastError: s.lastError,
        permanent: s.permanent,
        attention: s.permanent || (failingForMs !== null && failingForMs >= this.attentionAfterMs),
        delivered: s.delivered,
      };
    });
  }

  private kick(): void {
    if (!this.running || !this.db.open) return;
    for (const d of this.destinations) if (!this.busy.has(d.name)) void this.drain(d);
  }

  /** Delivers a destination's queue in order; stops at the first failure (order is kept). */
  private async drain(d: Destination): Promise<void> {
    this.busy.add(d.name);
    const status = this.status.get(d.name)!;
    try {
      for (;;) {
        if (!this.db.open) return;
        const rows = this.due.all(d.name, BATCH) as { seq: number; event: string; attempts: number; next_at: number }[];
        if (rows.length === 0 || rows[0]!.next_at > this.now()) return;
        for (const row of rows) {
          try {
            await d.send(JSON.parse(row.event) as IncidentEvent);
          } catch (err) {
            const message = (err as Error).message.slice(0, 300);
            const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(row.attempts, 12));
            if (this.db.open) this.retry.run(this.now() + delay, message, row.seq);
            if (status.failingSince === null) {
              status.failingSince = this.now();
              this.log.warn({ destination: d.display ?? d.name, err: message }, 'notification destination failing; alerts are queued');
            }
            status.lastError = message;
            status.permanent = err instanceof DeliveryError && err.permanent;
            return;
          }
          if (this.db.open) this.remove.run(row.seq);
          status.delivered++;
          if (status.failingSince !== null) this.log.info({ destination: d.display ?? d.name, since: new Date(status.failingSince).toISOString() }, 'notification destination delivering again');
          status.failingSince = null;
          status.lastError = null;
          status.permanent = false;
        }
      }
    } finally {
      this.busy.delete(d.name);
    }
  }
}
