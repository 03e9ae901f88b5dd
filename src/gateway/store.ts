/**
 * The gateway's durable record: every hit, and the outbox entry that will carry it to the
 * console, committed in one transaction before the decoy replies.
 */
import { openDatabase, type Db, type Migration } from '../db/open.js';
import type { Hit } from '../core/hit.js';

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
];

export const GATEWAY_SCHEMA_VERSION = migrations.length;

export interface OutboxEntry {
  seq: number;
  hit: Hit;
  attempts: number;
}

export class GatewayStore {
  readonly db: Db;
  private readonly insertHit;
  private readonly insertOutbox;
  private readonly selectPending;
  private readonly deleteOutbox;
  private readonly bumpAttempts;
  private readonly recordTx;

  constructor(file: string) {
    this.db = openDatabase(file, migrations);
    this.insertHit = this.db.prepare('INSERT INTO hits (id, at, body) VALUES (?, ?, ?)');
    this.insertOutbox = this.db.prepare('INSERT INTO outbox (hit_id, created_at) VALUES (?, ?)');
    this.selectPending = this.db.prepare(
      'SELECT o.seq, o.attempts, h.body FROM outbox o JOIN hits h ON h.id = o.hit_id ORDER BY o.seq LIMIT ?',
    );
    this.deleteOutbox = this.db.prepare('DELETE FROM outbox WHERE hit_id = ?');
    this.bumpAttempts = this.db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?');
    this.recordTx = this.db.transaction((hit: Hit) => {
      this.insertHit.run(hit.id, hit.at, JSON.stringify(hit));
      this.insertOutbox.run(hit.id, Date.now());
    });
  }

  /** Returns once the hit and its outbox entry are committed. */
  record(hit: Hit): void {
    this.recordTx(hit);
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

  outboxDepth(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
