/**
 * The gateway's durable record: every hit, and the outbox entry that will carry it to the
 * console, committed in one transaction before the decoy replies.
 */
import { openDatabase, type Db, type Migration } from '../db/open.js';
import type { Hit } from '../core/hit.js';
import type { ChannelState } from '../core/heartbeat.js';
import { foldKey, isLowValue } from '../core/fold-policy.js';

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
  (db) =>
    db.exec(`
      CREATE TABLE folds (
        src_ip        TEXT NOT NULL,
        decoy         TEXT NOT NULL,
        function_code INTEGER NOT NULL,
        outcome       TEXT NOT NULL,
        count         INTEGER NOT NULL,
        first_at      TEXT NOT NULL,
        last_at       TEXT NOT NULL,
        PRIMARY KEY (src_ip, decoy, function_code, outcome)
      );
    `),
];

/**
 * Default outbox bound: at ~2 KiB per queued hit (hit row, outbox row, indexes), 200,000 entries
 * is ~400 MB, days of a busy scan on an SD card. Past it, repeated low-value hits are counted.
 */
export const DEFAULT_OUTBOX_LIMIT = 200_000;

export interface FoldRow {
  srcIp: string;
  decoy: string;
  functionCode: number | null;
  outcome: string;
  count: number;
  firstAt: string;
  lastAt: string;
}

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
export const SYNC_INTERVAL_MS = 1_000;

export class GatewayStore {
  readonly db: Db;
  private dirty = false;
  private readonly insertHit;
  private readonly insertOutbox;
  private readonly selectPending;
  private readonly deleteOutbox;
  private readonly bumpAttempts;
  private readonly recordTx;

  private depth: number;
  /** Sources (with decoy) whose activity already has a queued hit since start: not "first" any more. */
  private readonly seen = new Set<string>();
  private readonly upsertFold;

  constructor(file: string, readonly durability: Durability = 'normal', readonly outboxLimit = DEFAULT_OUTBOX_LIMIT) {
    this.db = openDatabase(file, migrations);
    this.depth = (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    this.upsertFold = this.db.prepare(
      `INSERT INTO folds (src_ip, decoy, function_code, outcome, count, first_at, last_at) VALUES (?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (src_ip, decoy, function_code, outcome) DO UPDATE SET count = count + 1, last_at = excluded.last_at`,
    );
    if (durability === 'full') this.db.pragma('synchronous = FULL');
    this.insertHit = this.db.prepare('INSERT INTO hits (id, at, body) VALUES (?, ?, ?)');
    this.insertOutbox = this.db.prepare('INSERT INTO outbox (hit_id, created_at) VALUES (?, ?)');
    this.selectPending = this.db.prepare(
      'SELECT o.seq, o.attempts, h.body FROM outbox o JOIN hits h ON h.id = o.hit_id ORDER BY o.seq LIMIT ?',
    );
    this.deleteOutbox = this.db.prepare('DELETE FROM outbox WHERE hit_id = ?');
    this.bumpAttempts = this.db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?');
    this.recordTx = this.db.transaction((hits: readonly Hit[]) => {
      const now = Date.now();
      let folded = 0;
      for (const hit of hits) {
        const source = `${hit.src.ip}|${hit.decoy}`;
        if (this.depth >= this.outboxLimit && isLowValue(hit) && this.seen.has(source)) {
          const key = foldKey(hit);
          this.upsertFold.run(key.srcIp, key.decoy, key.functionCode, key.outcome, hit.at, hit.at);
          folded++;
          continue;
        }
        if (this.seen.size >= 100_000) this.seen.clear();
        this.seen.add(source);
        this.insertHit.run(hit.id, hit.at, JSON.stringify(hit));
        this.insertOutbox.run(hit.id, now);
        this.depth++;
      }
      return folded;
    });
  }

  /**
   * Returns once the hits and their outbox entries are committed, in one transaction. With the
   * outbox full, repeated low-value hits are counted in `folds` instead; returns how many.
   */
  recordMany(hits: readonly Hit[]): number {
    const folded = this.recordTx(hits);
    this.dirty = true;
    return folded;
  }

  /** What was folded, largest counts first. */
  folds(limit = 100): FoldRow[] {
    const rows = this.db.prepare('SELECT * FROM folds ORDER BY count DESC LIMIT ?').all(limit) as Record<string, string | number>[];
    return rows.map((r) => ({
      srcIp: r.src_ip as string,
      decoy: r.decoy as string,
      functionCode: r.function_code === -1 ? null : (r.function_code as number),
      outcome: r.outcome as string,
      count: r.count as number,
      firstAt: r.first_at as string,
      lastAt: r.last_at as string,
    }));
  }

  foldedTotal(): number {
    return (this.db.prepare('SELECT coalesce(sum(count), 0) AS n FROM folds').get() as { n: number }).n;
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
    this.depth -= removed;
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
    return this.depth;
  }

  close(): void {
    this.sync();
    this.db.close();
  }
}
