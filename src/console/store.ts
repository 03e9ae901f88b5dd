/** The console's record: enrolled gateways and every hit they delivered, once. */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Db, type Migration } from '../db/open.js';
import type { Hit } from '../core/hit.js';

const migrations: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE gateways (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        secret       TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        revoked_at   TEXT,
        last_seen_at TEXT
      );
      CREATE TABLE hits (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL,
        gateway_id  TEXT NOT NULL REFERENCES gateways(id),
        at          TEXT NOT NULL,
        received_at TEXT NOT NULL,
        via         TEXT NOT NULL,
        body        TEXT NOT NULL
      );
      -- Ids are unique per gateway: one gateway cannot claim (and so suppress) another's hit.
      CREATE UNIQUE INDEX hits_gateway_id ON hits(gateway_id, id);
      CREATE INDEX hits_id ON hits(id);
    `),
];

export const CONSOLE_SCHEMA_VERSION = migrations.length;

export interface GatewayRecord {
  id: string;
  name: string;
  secret: string;
  createdAt: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
}

export interface StoredHit extends Hit {
  gatewayId: string;
  receivedAt: string;
  via: string;
}

export interface HitQuery {
  limit: number;
  /** Hits received after this one (oldest of them first in the page, returned newest first). */
  since?: string;
  /** Hits received before this one. */
  before?: string;
}

export class UnknownHitError extends Error {}

/** How often a gateway's last-seen time is written: not on every message. */
const LAST_SEEN_RESOLUTION_MS = 1_000;

export class ConsoleStore {
  readonly db: Db;
  private readonly insertHit;
  private readonly touchGateway;
  private readonly selectGateway;
  private readonly lastSeenWritten = new Map<string, number>();

  constructor(file: string) {
    this.db = openDatabase(file, migrations);
    this.insertHit = this.db.prepare(
      'INSERT INTO hits (id, gateway_id, at, received_at, via, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(gateway_id, id) DO NOTHING',
    );
    this.touchGateway = this.db.prepare('UPDATE gateways SET last_seen_at = ? WHERE id = ?');
    this.selectGateway = this.db.prepare('SELECT * FROM gateways WHERE id = ?');
    this.insertTx = this.db.transaction((gatewayId: string, hits: readonly Hit[], via: string) => this.insertRows(gatewayId, hits, via));
  }

  private readonly insertTx;

  /** Runs `fn` in one transaction (nested calls become savepoints): one commit for many writes. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  enrollGateway(name: string): GatewayRecord {
    const record: GatewayRecord = {
      id: `gw-${randomBytes(8).toString('hex')}`,
      name,
      secret: randomBytes(32).toString('base64url'),
      createdAt: new Date().toISOString(),
      revokedAt: null,
      lastSeenAt: null,
    };
    this.db
      .prepare('INSERT INTO gateways (id, name, secret, created_at) VALUES (?, ?, ?, ?)')
      .run(record.id, record.name, record.secret, record.createdAt);
    return record;
  }

  gateway(id: string): GatewayRecord | undefined {
    const row = this.selectGateway.get(id) as Record<string, string | null> | undefined;
    return row && toGateway(row);
  }

  gatewayByName(name: string): GatewayRecord | undefined {
    const row = this.db.prepare('SELECT * FROM gateways WHERE name = ?').get(name) as Record<string, string | null> | undefined;
    return row && toGateway(row);
  }

  /** Stores hits not seen before; returns which ids were new. Idempotent by hit id. */
  insertHits(gatewayId: string, hits: readonly Hit[], via: string): { inserted: string[]; duplicates: string[] } {
    return this.insertTx(gatewayId, hits, via);
  }

  private insertRows(gatewayId: string, hits: readonly Hit[], via: string): { inserted: string[]; duplicates: string[] } {
    const now = Date.now();
    const receivedAt = new Date(now).toISOString();
    const inserted: string[] = [];
    const duplicates: string[] = [];
    for (const hit of hits) {
      const r = this.insertHit.run(hit.id, gatewayId, hit.at, receivedAt, via, JSON.stringify(hit));
      (r.changes === 1 ? inserted : duplicates).push(hit.id);
    }
    if (now - (this.lastSeenWritten.get(gatewayId) ?? 0) >= LAST_SEEN_RESOLUTION_MS) {
      this.touchGateway.run(receivedAt, gatewayId);
      this.lastSeenWritten.set(gatewayId, now);
    }
    return { inserted, duplicates };
  }

  listHits(query: HitQuery): StoredHit[] {
    type Row = { body: string; gateway_id: string; received_at: string; via: string };
    let rows: Row[];
    if (query.since !== undefined) {
      const seq = this.seqOf(query.since);
      rows = (this.db.prepare('SELECT * FROM hits WHERE seq > ? ORDER BY seq ASC LIMIT ?').all(seq, query.limit) as Row[]).reverse();
    } else if (query.before !== undefined) {
      const seq = this.seqOf(query.before);
      rows = this.db.prepare('SELECT * FROM hits WHERE seq < ? ORDER BY seq DESC LIMIT ?').all(seq, query.limit) as Row[];
    } else {
      rows = this.db.prepare('SELECT * FROM hits ORDER BY seq DESC LIMIT ?').all(query.limit) as Row[];
    }
    return rows.map((r) => ({ ...(JSON.parse(r.body) as Hit), gatewayId: r.gateway_id, receivedAt: r.received_at, via: r.via }));
  }

  close(): void {
    this.db.close();
  }

  private seqOf(id: string): number {
    const row = this.db.prepare('SELECT min(seq) AS seq FROM hits WHERE id = ?').get(id) as { seq: number | null };
    if (row.seq === null) throw new UnknownHitError(`no hit with id ${id}`);
    return row.seq;
  }
}

function toGateway(row: Record<string, string | null>): GatewayRecord {
  return {
    id: row.id!,
    name: row.name!,
    secret: row.secret!,
    createdAt: row.created_at!,
    revokedAt: row.revoked_at ?? null,
    lastSeenAt: row.last_seen_at ?? null,
  };
}
