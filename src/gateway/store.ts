/**
 * The gateway's durable record: every hit waits in the queue (the outbox) until the console
 * acknowledges it, with its incident's summary updated in the same transaction, committed
 * before the decoy replies.
 */
import { openDatabase, type Db, type Migration } from '../db/open.js';
import type { Hit } from '../core/hit.js';
import type { ChannelState } from '../core/heartbeat.js';
import { foldKey, isLowValue } from '../core/fold-policy.js';
import { newHitId } from '../core/hit.js';
import { IncidentBook, type BookedIncident, type IncidentReport } from '../core/incident-book.js';
import { QUIET_GAP_MS, type IncidentSummary, type Severity } from '../core/incident.js';

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
  (db) =>
    db.exec(`
      CREATE TABLE incidents (
        id            TEXT PRIMARY KEY,
        src_ip        TEXT NOT NULL,
        decoy         TEXT NOT NULL,
        summary       TEXT NOT NULL,
        version       INTEGER NOT NULL,
        sent_version  INTEGER NOT NULL DEFAULT 0,
        sent_writes   INTEGER NOT NULL DEFAULT 0,
        first_sent_at INTEGER,
        last_sent_at  INTEGER,
        sent_severity TEXT,
        last_seen     TEXT NOT NULL
      );
      CREATE INDEX incidents_last_seen ON incidents(last_seen);
    `),
  // One queue table, the hit inside it: an insert touches one b-tree page instead of four (hit,
  // its id index, outbox, its unique index), and a delivered hit leaves the edge device (the
  // console is the system of record), so the SD card does not fill with history.
  (db) =>
    db.exec(`
      CREATE TABLE queue (
        seq      INTEGER PRIMARY KEY,
        body     TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO queue (seq, body, attempts) SELECT o.seq, h.body, o.attempts FROM outbox o JOIN hits h ON h.id = o.hit_id ORDER BY o.seq;
      DROP TABLE outbox;
      DROP TABLE hits;
      DROP INDEX incidents_last_seen;
    `),
  (db) =>
    db.exec(`
      CREATE TABLE credentials (
        user       TEXT PRIMARY KEY,
        salt       BLOB NOT NULL,
        hash       BLOB NOT NULL,
        memo       TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `),
];

/**
 * Default outbox bound: at ~1 KiB per queued hit, 200,000 entries is ~200 MB, days of a busy scan on an SD card. Past it, repeated low-value hits are counted.
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

const INCIDENT_RETENTION_MS = 30 * 24 * 3600_000;

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
  private readonly insertQueued;
  private readonly selectPending;
  private readonly deleteQueued;
  /** Queue positions of hits handed out by `pending`, so acknowledgements by hit id find them. */
  private readonly seqOfPending = new Map<string, number>();
  private readonly bumpAttempts;
  private readonly recordTx;

  private depth: number;
  private readonly upsertFold;
  /** Open incidents and their unacknowledged summaries; persisted in `incidents`. */
  readonly incidents: IncidentBook;
  private readonly saveIncident;

  constructor(file: string, readonly durability: Durability = 'normal', readonly outboxLimit = DEFAULT_OUTBOX_LIMIT, private readonly quietGapMs = QUIET_GAP_MS) {
    this.db = openDatabase(file, migrations);
    this.incidents = new IncidentBook(() => newHitId(), quietGapMs);
    this.saveIncident = this.db.prepare(
      `INSERT INTO incidents (id, src_ip, decoy, summary, version, sent_version, sent_writes, first_sent_at, last_sent_at, sent_severity, last_seen)
       VALUES (@id, @srcIp, @decoy, @summary, @version, @sentVersion, @sentWrites, @firstSentAt, @lastSentAt, @sentSeverity, @lastSeen)
       ON CONFLICT (id) DO UPDATE SET summary = excluded.summary, version = excluded.version, sent_version = excluded.sent_version,
         sent_writes = excluded.sent_writes, first_sent_at = excluded.first_sent_at, last_sent_at = excluded.last_sent_at,
         sent_severity = excluded.sent_severity, last_seen = excluded.last_seen`,
    );
    // Incidents reported in full and quiet for a month are history the console keeps.
    this.db.prepare('DELETE FROM incidents WHERE sent_version >= version AND last_seen < ?').run(new Date(Date.now() - INCIDENT_RETENTION_MS).toISOString());
    this.loadIncidents();
    this.depth = (this.db.prepare('SELECT count(*) AS n FROM queue').get() as { n: number }).n;
    this.upsertFold = this.db.prepare(
      `INSERT INTO folds (src_ip, decoy, function_code, outcome, count, first_at, last_at) VALUES (?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (src_ip, decoy, function_code, outcome) DO UPDATE SET count = count + 1, last_at = excluded.last_at`,
    );
    if (durability === 'full') this.db.pragma('synchronous = FULL');
    this.insertQueued = this.db.prepare('INSERT INTO queue (body) VALUES (?)');
    this.selectPending = this.db.prepare('SELECT seq, attempts, body FROM queue ORDER BY seq LIMIT ?');
    this.deleteQueued = this.db.prepare('DELETE FROM queue WHERE seq = ?');
    this.bumpAttempts = this.db.prepare('UPDATE queue SET attempts = attempts + 1 WHERE seq = ?');
    this.recordTx = this.db.transaction((hits: readonly Hit[]) => {
      let folded = 0;
      const touched = new Set<BookedIncident>();
      for (const hit of hits) {
        // Counted in its incident first, folded or not: the summary stays exact either way.
        const incident = this.incidents.add(hit);
        hit.incident = incident.id;
        touched.add(incident);
        // The first hit of an incident is never folded.
        if (this.depth >= this.outboxLimit && isLowValue(hit) && incident.summary.hitCount > 1) {
          const key = foldKey(hit);
          this.upsertFold.run(key.srcIp, key.decoy, key.functionCode, key.outcome, hit.at, hit.at);
          folded++;
          continue;
        }
        this.insertQueued.run(JSON.stringify(hit));
        this.depth++;
      }
      for (const incident of touched) {
        incident.version++;
        this.persistIncident(incident);
      }
      return folded;
    });
  }

  /**
   * Returns once the hits and their outbox entries are committed, in one transaction. With the
   * outbox full, repeated low-value hits are counted in `folds` instead; returns how many.
   */
  recordMany(hits: readonly Hit[]): number {
    let folded: number;
    try {
      folded = this.recordTx(hits);
    } catch (err) {
      // Rolled back: the incidents in memory counted hits that were not stored.
      // Incidents reported in full and quiet for a month are history the console keeps.
    this.db.prepare('DELETE FROM incidents WHERE sent_version >= version AND last_seen < ?').run(new Date(Date.now() - INCIDENT_RETENTION_MS).toISOString());
    this.loadIncidents();
      throw err;
    }
    this.dirty = true;
    return folded;
  }

  /** Incident summaries due for a report now. */
  dueReports(now = Date.now()): IncidentReport[] {
    return this.incidents.due(now);
  }

  /** The console stored these reports. */
  reportsAcknowledged(reports: readonly IncidentReport[], now = Date.now()): void {
    if (!this.db.open) return;
    const changed = this.incidents.acknowledged(reports, now);
    this.db.transaction(() => {
      for (const incident of changed) this.persistIncident(incident);
    })();
    this.incidents.prune(new Date(now).toISOString());
  }

  /** Incidents whose latest summary the console has not acknowledged yet. */
  unreportedIncidents(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM incidents WHERE sent_version < version').get() as { n: number }).n;
  }

  private persistIncident(incident: BookedIncident): void {
    this.saveIncident.run({
      id: incident.id,
      srcIp: incident.srcIp,
      decoy: incident.decoy,
      summary: JSON.stringify(incident.summary),
      version: incident.version,
      sentVersion: incident.sentVersion,
      sentWrites: incident.sentWrites,
      firstSentAt: incident.firstSentAt,
      lastSentAt: incident.lastSentAt,
      sentSeverity: incident.sentSeverity,
      lastSeen: incident.summary.lastSeen,
    });
  }

  /** Incidents that may still grow (within the quiet gap) or still owe the console a report. */
  private loadIncidents(): void {
    const since = new Date(Date.now() - this.quietGapMs).toISOString();
    const rows = this.db
      .prepare('SELECT * FROM incidents WHERE sent_version < version OR last_seen >= ? ORDER BY last_seen')
      .all(since) as Record<string, string | number | null>[];
    this.incidents.load(
      rows.map((r) => ({
        id: r.id as string,
        srcIp: r.src_ip as string,
        decoy: r.decoy as string,
        summary: JSON.parse(r.summary as string) as IncidentSummary,
        version: r.version as number,
        sentVersion: r.sent_version as number,
        sentWrites: r.sent_writes as number,
        firstSentAt: r.first_sent_at as number | null,
        lastSentAt: r.last_sent_at as number | null,
        sentSeverity: r.sent_severity as Severity | null,
      })),
    );
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
      const hit = JSON.parse(r.body) as Hit;
      out.push({ seq: r.seq, attempts: r.attempts, hit });
      if (this.seqOfPending.size >= 100_000) this.seqOfPending.clear();
      this.seqOfPending.set(hit.id, r.seq);
    }
    return out;
  }

  /** Removes entries the console acknowledged; ids not handed out by `pending` are ignored. */
  acknowledge(hitIds: readonly string[]): number {
    let removed = 0;
    this.db.transaction(() => {
      for (const id of hitIds) {
        const seq = this.seqOfPending.get(id);
        if (seq === undefined) continue;
        this.seqOfPending.delete(id);
        removed += this.deleteQueued.run(seq).changes;
      }
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
    const row = this.db.prepare("SELECT json_extract(body, '$.at') AS at FROM queue ORDER BY seq LIMIT 1").get() as { at: string } | undefined;
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
