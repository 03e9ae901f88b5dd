/**
 * Notifications that never drop an alert: each destination has a durable queue in the console's
 * SQLite (filled in the same transaction that opened or escalated the incident), delivered in
 * order, removed only once the destination took it. An unreachable destination delays, with
 * backoff; a destination failing for long is reported (status, metrics), never skipped.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/open.js';
import type { IncidentEvent } from './event.js';

export interface Destination {
  /** Stable name, e.g. `webhook:https://siem.example/hook`: the queue's key. */
  readonly name: string;
  /** Resolves once the destination accepted the event; throws otherwise. */
  send(event: IncidentEvent): Promise<void>;
  close?(): void;
}

export interface DestinationStatus {
  name: string;
  pending: number;
  failingSince: string | null;
  lastError: string | null;
  delivered: number;
}

const BATCH = 20;
const MAX_BACKOFF_MS = 5 * 60_000;

export class Notifier {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly status = new Map<string, DestinationStatus>();
  private readonly busy = new Set<string>();
  private readonly insert;
  private readonly due;
  private readonly remove;
  private readonly retry;

  constructor(private readonly db: Db, private readonly destinations: readonly Destination[], private readonly log: Logger, private readonly now = Date.now) {
    this.insert = db.prepare('INSERT INTO notifications (destination, event, next_at) VALUES (?, ?, ?)');
    this.due = db.prepare('SELECT seq, event, attempts, next_at FROM notifications WHERE destination = ? ORDER BY seq LIMIT ?');
    this.remove = db.prepare('DELETE FROM notifications WHERE seq = ?');
    this.retry = db.prepare('UPDATE notifications SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE seq = ?');
    for (const d of destinations) this.status.set(d.name, { name: d.name, pending: 0, failingSince: null, lastError: null, delivered: 0 });
  }

  /** Queues the event for every destination; call inside the transaction that caused it. */
  enqueue(event: IncidentEvent): void {
    for (const d of this.destinations) this.insert.run(d.name, JSON.stringify(event), this.now());
    queueMicrotask(() => this.kick());
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
    return [...this.status.values()].map((s) => ({
      ...s,
      pending: this.db.open ? (this.db.prepare('SELECT count(*) AS n FROM notifications WHERE destination = ?').get(s.name) as { n: number }).n : 0,
    }));
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
              status.failingSince = new Date(this.now()).toISOString();
              this.log.warn({ destination: d.name, err: message }, 'notification destination failing; alerts are queued');
            }
            status.lastError = message;
            return;
          }
          if (this.db.open) this.remove.run(row.seq);
          status.delivered++;
          if (status.failingSince !== null) this.log.info({ destination: d.name, since: status.failingSince }, 'notification destination delivering again');
          status.failingSince = null;
          status.lastError = null;
        }
      }
    } finally {
      this.busy.delete(d.name);
    }
  }
}
