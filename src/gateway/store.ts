/**
 * The gateway's durable record: every hit, and the outbox entry that will carry it to the
 * console, committed in one transaction before the decoy replies.
 */
import { openDatabase, type Db, type Migration } from '../db/open.js';
import type { Hit } from '../core/hit.js';
import type { ChannelState } from '../core/heartbeat.js';

const migrations: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE hits (
        id   TEXT PRIMARY KEY,
        at   TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE TABLE outbox (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        hit_id     TEXT NOT NULL UNIQUE REFERENCES hits(id),
        attempts   INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
    `),
  (db) =>
    db.exec(`
      CREATE TABLE channel_state (
        channel         TEXT PRIMARY KEY,
        last_success_at TEXT,
        last_failure_at TEXT,
        last_error      TEXT
      );
    `),
];

export const GATEWAY_SCHEMA_VERSION = migrations.length;

export interface OutboxEntry {
  seq: number;
  hit: Hit;
  attempts: number;
}

/**
 * `normal`: a commit survives a killed process at once (WAL, synchronous=NORMAL) and reaches the
 * disk at the next sync, forced at most ~1 s later; `full`: every commit is synced before it
 * returns (synchronous=FULL), so a power cut loses nothing that was answered.
 */
export type Durability = 'normal' | 'full';

/** In `normal` mode the WAL is synced (by a passive checkpoint) this long after a commit at most. */
const SYNC_INTERVAL_MS = 1_000;

export class GatewayStore {
  readonly db: Db;
  private dirty = false;
  private readonly syncTimer: NodeJS.Timeout | undefined;
  private readonly insertHit;
  private readonly insertOutbox;
  private readonly selectPending;
  private readonly deleteOutbox;
  private readonly bumpAttempts;
  private readonly recordTx;

  constructor(file: string, readonly durability: Durability = 'normal') {
    this.db = openDatabase(file, migrations);
    if (durability === 'full') this.db.pragma('synchronous = FULL');
    else {
      this.syncTimer = setInterval(() => this.sync(), SYNC_INTERVAL_MS);
      this.syncTimer.unref();
    }
    this.insertHit = this.db.prepare('INSERT INTO hits (id, at, body) VALUES (?, ?, ?)');
    this.insertOutbox = this.db.prepare('INSERT INTO outbox (hit_id, created_at) VALUES (?, ?)');
    this.selectPending = this.db.prepare(
      'SELECT o.seq, o.attempts, h.body FROM outbox o JOIN hits h ON h.id = o.hit_id ORDER BY o.seq LIMIT ?',
    );
    this.deleteOutbox = this.db.prepare('DELETE FROM outbox WHERE hit_id = ?');
    this.bumpAttempts = this.db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?');
    this.recordTx = this.db.transaction((hits: readonly Hit[]) => {
      const now = Date.now();
      for (const hit of hits) {
        this.insertHit.run(hit.id, hit.at, JSON.stringify(hit));
        this.insertOutbox.run(hit.id, now);
      }
    });
  }

  /** Returns once the hits and their outbox entries are committed, in one transaction. */
  recordMany(hits: readonly Hit[]): void {
    this.recordTx(hits);
    this.dirty = true;
  }

  /** A passive checkpoint syncs the WAL to disk (and copies it into the database when it can). */
  sync(): void {
    if (!this.dirty || !this.db.open) return;
    this.dirty = false;
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /**
   * Oldest undelivered entries first, at most `limit` of them and about `maxBytes` of JSON (always
   * at least one), so a burst of large hits never builds a batch the console must refuse.
   */
  pending(limit: number, maxBytes = Number.POSITIVE_INFINITY): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    let bytes = 0;
    for (const r of this.selectPending.iterate(limit) as Iterable<{ seq: number; attempts: number; body: string }>) {
      bytes += r.body.length;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push({ seq: r.seq, attempts: r.attempts, hit: JSON.parse(r.body) as Hit });
    }
    return out;
  }

  /** Removes entries the console acknowledged; ids it did not send are ignored. */
  acknowledge(hitIds: readonly string[]): number {
    let removed = 0;
    this.db.transaction(() => {
      for (const id of hitIds) removed += this.deleteOutbox.run(id).changes;
    })();
    return removed;
  }

  noteAttempt(entries: readonly OutboxEntry[]): void {
    this.db.transaction(() => {
      for (const e of entries) this.bumpAttempts.run(e.seq);
    })();
  }

  /** When the oldest undelivered hit was recorded. */
  oldestPendingAt(): string | null {
    const row = this.db.prepare('SELECT h.at FROM outbox o JOIN hits h ON h.id = o.hit_id ORDER BY o.seq LIMIT 1').get() as { at: string } | undefined;
    return row?.at ?? null;
  }

  saveChannelState(channel: string, state: ChannelState): void {
    // A heartbeat still in flight at shutdown reports after the store closed: nothing to keep.
    if (!this.db.open) return;
    this.db
      .prepare('INSERT INTO channel_state (channel, last_success_at, last_failure_at, last_error) VALUES (?, ?, ?, ?) ON CONFLICT(channel) DO UPDATE SET last_success_at = excluded.last_success_at, last_failure_at = excluded.last_failure_at, last_error = excluded.last_error')
      .run(channel, state.lastSuccessAt, state.lastFailureAt, state.lastError);
  }

  channelStates(): Record<string, ChannelState> {
    const rows = this.db.prepare('SELECT * FROM channel_state ORDER BY channel').all() as { channel: string; last_success_at: string | null; last_failure_at: string | null; last_error: string | null }[];
    return Object.fromEntries(rows.map((r) => [r.channel, { lastSuccessAt: r.last_success_at, lastFailureAt: r.last_failure_at, lastError: r.last_error }]));
  }

  outboxDepth(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  close(): void {
    clearInterval(this.syncTimer);
    this.sync();
    this.db.close();
  }
}
