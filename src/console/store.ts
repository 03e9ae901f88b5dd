/** The console's record: enrolled gateways and every hit they delivered, once. */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Db, type Migration } from '../db/open.js';
import type { Hit } from '../core/hit.js';
import type { Heartbeat } from '../core/heartbeat.js';
import type { IncidentSummary } from '../core/incident.js';

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
  (db) =>
    db.exec(`
      ALTER TABLE gateways ADD COLUMN heartbeat TEXT;
      ALTER TABLE gateways ADD COLUMN heartbeat_at TEXT;
      ALTER TABLE gateways ADD COLUMN heartbeat_via TEXT;
      ALTER TABLE gateways ADD COLUMN silent_since TEXT;
      CREATE TABLE incidents (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        kind        TEXT NOT NULL,
        gateway_id  TEXT NOT NULL REFERENCES gateways(id),
        decoy       TEXT,
        src_ip      TEXT,
        severity    TEXT NOT NULL,
        first_seen  TEXT NOT NULL,
        last_seen   TEXT NOT NULL,
        hit_count   INTEGER NOT NULL DEFAULT 0,
        detail      TEXT NOT NULL DEFAULT '{}',
        status      TEXT NOT NULL DEFAULT 'open',
        cleared_at  TEXT
      );
      CREATE INDEX incidents_open ON incidents(kind, gateway_id, status, src_ip, last_seen);
    `),
  // Intrusion incidents named by the gateway: its summary reports and the relayed hits, kept
  // apart so that the merged view is a pure function of both.
  (db) =>
    db.exec(`
      ALTER TABLE incidents ADD COLUMN ref TEXT;
      ALTER TABLE incidents ADD COLUMN report TEXT;
      ALTER TABLE incidents ADD COLUMN report_version INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE incidents ADD COLUMN from_hits TEXT;
      CREATE UNIQUE INDEX incidents_ref ON incidents(gateway_id, ref) WHERE ref IS NOT NULL;
    `),
  // Notifications wait here until their destination took them: enqueued in the transaction that
  // changed the incident, removed only after delivery.
  (db) =>
    db.exec(`
      CREATE TABLE notifications (
        seq         INTEGER PRIMARY KEY,
        destination TEXT NOT NULL,
        event       TEXT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        next_at     INTEGER NOT NULL,
        last_error  TEXT
      );
      CREATE INDEX notifications_due ON notifications(destination, seq);
    `),
  // Canary tokens (DNS names, URLs) registered at the console, and their hits. A token hit has no
  // gateway: its incidents carry the pseudo gateway id `console` (TOKEN_GATEWAY_ID), so the
  // incidents table is rebuilt without its foreign key to gateways (SQLite cannot drop one).
  (db) =>
    db.exec(`
      CREATE TABLE tokens (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        memo        TEXT NOT NULL,
        planted     TEXT,
        created_at  TEXT NOT NULL,
        disabled_at TEXT,
        rotated_to  TEXT,
        grace_until TEXT
      );
      CREATE TABLE token_hits (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        id       TEXT NOT NULL UNIQUE,
        token_id TEXT NOT NULL,
        at       TEXT NOT NULL,
        channel  TEXT NOT NULL,
        src_ip   TEXT,
        alerted  INTEGER NOT NULL,
        body     TEXT NOT NULL
      );
      CREATE INDEX token_hits_token ON token_hits(token_id, seq);
      CREATE TABLE incidents_rebuilt (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        kind           TEXT NOT NULL,
        gateway_id     TEXT NOT NULL,
        decoy          TEXT,
        src_ip         TEXT,
        severity       TEXT NOT NULL,
        first_seen     TEXT NOT NULL,
        last_seen      TEXT NOT NULL,
        hit_count      INTEGER NOT NULL DEFAULT 0,
        detail         TEXT NOT NULL DEFAULT '{}',
        status         TEXT NOT NULL DEFAULT 'open',
        cleared_at     TEXT,
        ref            TEXT,
        report         TEXT,
        report_version INTEGER NOT NULL DEFAULT 0,
        from_hits      TEXT
      );
      INSERT INTO incidents_rebuilt (id, kind, gateway_id, decoy, src_ip, severity, first_seen, last_seen, hit_count, detail, status, cleared_at, ref, report, report_version, from_hits)
        SELECT id, kind, gateway_id, decoy, src_ip, severity, first_seen, last_seen, hit_count, detail, status, cleared_at, ref, report, report_version, from_hits FROM incidents;
      DROP TABLE incidents;
      ALTER TABLE incidents_rebuilt RENAME TO incidents;
      CREATE INDEX incidents_open ON incidents(kind, gateway_id, status, src_ip, last_seen);
      CREATE UNIQUE INDEX incidents_ref ON incidents(gateway_id, ref) WHERE ref IS NOT NULL;
    `),
  // The SOC's side: who may look (admin password, sessions, API tokens), what they did (audit
  // log), how they triaged incidents, and the scanner whitelist kept in the dashboard.
  (db) =>
    db.exec(`
      CREATE TABLE console_settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE sessions (
        id_hash    TEXT PRIMARY KEY,
        username   TEXT NOT NULL,
        csrf       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        seen_at    INTEGER NOT NULL,
        src_ip     TEXT
      );
      CREATE TABLE api_tokens (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        token_hash   TEXT NOT NULL UNIQUE,
        created_at   TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at   TEXT
      );
      CREATE TABLE audit_log (
        seq     INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        target  TEXT,
        detail  TEXT,
        src_ip  TEXT
      );
      CREATE TABLE whitelist (
        cidr     TEXT PRIMARY KEY,
        note     TEXT,
        added_at TEXT NOT NULL,
        added_by TEXT NOT NULL
      );
      ALTER TABLE incidents ADD COLUMN triage TEXT NOT NULL DEFAULT 'new';
      ALTER TABLE incidents ADD COLUMN triage_note TEXT;
      ALTER TABLE incidents ADD COLUMN triage_by TEXT;
      ALTER TABLE incidents ADD COLUMN triage_at TEXT;
    `),
  // An incident's hits, for its timeline: found by the incident id each hit carries, without
  // reading every hit of the gateway.
  (db) => db.exec(`CREATE INDEX hits_incident ON hits(gateway_id, json_extract(body, '$.incident'));`),
];

export const CONSOLE_SCHEMA_VERSION = migrations.length;

export interface GatewayRecord {
  id: string;
  name: string;
  secret: string;
  createdAt: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
  heartbeat: Heartbeat | null;
  heartbeatAt: string | null;
  heartbeatVia: string | null;
  silentSince: string | null;
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
    // Built once: better-sqlite3 wraps a function per `db.transaction` call, which costs on hot paths.
    this.runInTx = this.db.transaction((fn: () => unknown) => fn());
    this.insertTx = this.db.transaction((gatewayId: string, hits: readonly Hit[], via: string) => this.insertRows(gatewayId, hits, via));
  }

  private readonly insertTx;
  private readonly runInTx;

  /** Runs `fn` in one transaction (nested calls become savepoints): one commit for many writes. */
  transaction<T>(fn: () => T): T {
    return this.runInTx(fn) as T;
  }


  enrollGateway(name: string): GatewayRecord {
    const record: GatewayRecord = {
      id: `gw-${randomBytes(8).toString('hex')}`,
      name,
      secret: randomBytes(32).toString('base64url'),
      createdAt: new Date().toISOString(),
      revokedAt: null,
      lastSeenAt: null,
      heartbeat: null,
      heartbeatAt: null,
      heartbeatVia: null,
      silentSince: null,
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

  listGateways(): GatewayRecord[] {
    return (this.db.prepare('SELECT * FROM gateways ORDER BY name').all() as Record<string, string | null>[]).map(toGateway);
  }

  recordHeartbeat(gatewayId: string, heartbeat: Heartbeat, via: string, at = new Date().toISOString()): void {
    this.db
      .prepare('UPDATE gateways SET heartbeat = ?, heartbeat_at = ?, heartbeat_via = ?, last_seen_at = ? WHERE id = ?')
      .run(JSON.stringify(heartbeat), at, via, at, gatewayId);
  }

  setSilent(gatewayId: string, since: string | null): void {
    this.db.prepare('UPDATE gateways SET silent_since = ? WHERE id = ?').run(since, gatewayId);
  }

  openIncident(incident: NewIncident): number {
    return Number(
      this.db
        .prepare('INSERT INTO incidents (kind, gateway_id, decoy, src_ip, severity, first_seen, last_seen, hit_count, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(incident.kind, incident.gatewayId, incident.decoy, incident.srcIp, incident.severity, incident.firstSeen, incident.lastSeen, incident.hitCount, JSON.stringify(incident.detail)).lastInsertRowid,
    );
  }

  updateIncident(id: number, changes: { severity: string; lastSeen: string; hitCount: number; detail: object }): void {
    this.db.prepare('UPDATE incidents SET severity = ?, last_seen = ?, hit_count = ?, detail = ? WHERE id = ?').run(changes.severity, changes.lastSeen, changes.hitCount, JSON.stringify(changes.detail), id);
  }

  clearIncident(id: number, at: string): void {
    this.db.prepare("UPDATE incidents SET status = 'cleared', cleared_at = ? WHERE id = ?").run(at, id);
  }

  /** The incident a gateway named `ref`, if the console has heard of it. */
  incidentByRef(gatewayId: string, ref: string): IncidentRecord | undefined {
    const row = this.db.prepare('SELECT * FROM incidents WHERE gateway_id = ? AND ref = ?').get(gatewayId, ref) as Record<string, unknown> | undefined;
    return row && toIncident(row);
  }

  /** Creates or replaces a gateway-named incident: both sources and their merged view. */
  saveRefIncident(incident: NewIncident & { ref: string; report: ReportedSummary | null; reportVersion: number; fromHits: IncidentSummary | null }): void {
    this.db
      .prepare(
        `INSERT INTO incidents (kind, gateway_id, decoy, src_ip, severity, first_seen, last_seen, hit_count, detail, ref, report, report_version, from_hits)
         VALUES (@kind, @gatewayId, @decoy, @srcIp, @severity, @firstSeen, @lastSeen, @hitCount, @detail, @ref, @report, @reportVersion, @fromHits)
         ON CONFLICT (gateway_id, ref) WHERE ref IS NOT NULL DO UPDATE SET severity = excluded.severity, first_seen = excluded.first_seen,
           last_seen = excluded.last_seen, hit_count = excluded.hit_count, detail = excluded.detail, report = excluded.report,
           report_version = excluded.report_version, from_hits = excluded.from_hits`,
      )
      .run({
        ...incident,
        detail: JSON.stringify(incident.detail),
        report: incident.report && JSON.stringify(incident.report),
        fromHits: incident.fromHits && JSON.stringify(incident.fromHits),
      });
  }

  /** Clears a source's other open intrusion incidents on a gateway: a newer one has begun. */
  clearOtherIntrusions(gatewayId: string, srcIp: string, ref: string, at: string): void {
    this.db
      .prepare("UPDATE incidents SET status = 'cleared', cleared_at = ? WHERE kind = 'intrusion' AND gateway_id = ? AND src_ip = ? AND status = 'open' AND ref IS NOT ? AND last_seen < ?")
      .run(at, gatewayId, srcIp, ref, at);
  }

  /** The open incident of a kind for a gateway (and source), if any. */
  openIncidentFor(kind: string, gatewayId: string, srcIp: string | null): IncidentRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM incidents WHERE kind = ? AND gateway_id = ? AND status = 'open' AND src_ip IS ? ORDER BY id DESC LIMIT 1")
      .get(kind, gatewayId, srcIp) as Record<string, unknown> | undefined;
    return row && toIncident(row);
  }

  listIncidents(limit: number, triage?: Triage): IncidentRecord[] {
    const rows = triage
      ? this.db.prepare('SELECT * FROM incidents WHERE triage = ? ORDER BY last_seen DESC, id DESC LIMIT ?').all(triage, limit)
      : this.db.prepare('SELECT * FROM incidents ORDER BY last_seen DESC, id DESC LIMIT ?').all(limit);
    return (rows as Record<string, unknown>[]).map(toIncident);
  }

  incident(id: number): IncidentRecord | undefined {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return row && toIncident(row);
  }

  setTriage(id: number, triage: Triage, note: string | null, by: string, at = new Date().toISOString()): boolean {
    return this.db.prepare('UPDATE incidents SET triage = ?, triage_note = ?, triage_by = ?, triage_at = ? WHERE id = ?').run(triage, note, by, at, id).changes === 1;
  }

  /** An incident that got worse after it was resolved is the SOC's again. */
  reopenIfResolved(id: number): void {
    this.db.prepare("UPDATE incidents SET triage = 'new', triage_note = NULL, triage_by = NULL, triage_at = NULL WHERE id = ? AND triage = 'resolved'").run(id);
  }

  /** The hits behind an incident (its timeline), oldest first, at most `limit`. */
  incidentHits(incident: IncidentRecord, limit: number): StoredHit[] {
    const rows = (incident.ref
      ? this.db.prepare("SELECT * FROM hits WHERE gateway_id = ? AND json_extract(body, '$.incident') = ? ORDER BY at LIMIT ?").all(incident.gatewayId, incident.ref, limit)
      : this.db
          .prepare("SELECT * FROM hits WHERE gateway_id = ? AND json_extract(body, '$.src.ip') IS ? AND at >= ? AND at <= ? ORDER BY at LIMIT ?")
          .all(incident.gatewayId, incident.srcIp, incident.firstSeen, incident.lastSeen, limit)) as { body: string; gateway_id: string; received_at: string; via: string }[];
    return rows.map((r) => ({ ...(JSON.parse(r.body) as Hit), gatewayId: r.gateway_id, receivedAt: r.received_at, via: r.via }));
  }

  revokeGateway(id: string, at = new Date().toISOString()): boolean {
    return this.db.prepare('UPDATE gateways SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes === 1;
  }

  /** A new secret at once: whoever holds the old one (a stolen box) can no longer send. */
  rotateGatewaySecret(id: string): string | undefined {
    const secret = randomBytes(32).toString('base64url');
    return this.db.prepare('UPDATE gateways SET secret = ? WHERE id = ?').run(secret, id).changes === 1 ? secret : undefined;
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
    heartbeat: row.heartbeat ? (JSON.parse(row.heartbeat) as Heartbeat) : null,
    heartbeatAt: row.heartbeat_at ?? null,
    heartbeatVia: row.heartbeat_via ?? null,
    silentSince: row.silent_since ?? null,
  };
}

export const TRIAGE_STATES = ['new', 'acknowledged', 'resolved'] as const;
export type Triage = (typeof TRIAGE_STATES)[number];

export type IncidentKind = 'intrusion' | 'gateway-silent' | 'token';

export interface NewIncident {
  kind: IncidentKind;
  gatewayId: string;
  decoy: string | null;
  srcIp: string | null;
  severity: string;
  firstSeen: string;
  lastSeen: string;
  hitCount: number;
  detail: object;
}

export interface IncidentRecord extends NewIncident {
  id: number;
  status: 'open' | 'cleared';
  clearedAt: string | null;
  /** Where the SOC's triage stands: new, acknowledged (someone is on it) or resolved. */
  triage: Triage;
  triageNote: string | null;
  triageBy: string | null;
  triageAt: string | null;
  /** The gateway's own id for the incident (intrusions from gateways that summarise). */
  ref: string | null;
  report: ReportedSummary | null;
  reportVersion: number;
  fromHits: IncidentSummary | null;
}

/** A gateway's latest summary, with every written value any of its reports carried. */
export type ReportedSummary = IncidentSummary;

function toIncident(row: Record<string, unknown>): IncidentRecord {
  return {
    id: row.id as number,
    kind: row.kind as IncidentKind,
    gatewayId: row.gateway_id as string,
    decoy: (row.decoy as string | null) ?? null,
    srcIp: (row.src_ip as string | null) ?? null,
    severity: row.severity as string,
    firstSeen: row.first_seen as string,
    lastSeen: row.last_seen as string,
    hitCount: row.hit_count as number,
    detail: JSON.parse(row.detail as string) as object,
    status: row.status as 'open' | 'cleared',
    clearedAt: (row.cleared_at as string | null) ?? null,
    triage: ((row.triage as Triage | undefined) ?? 'new'),
    triageNote: (row.triage_note as string | null) ?? null,
    triageBy: (row.triage_by as string | null) ?? null,
    triageAt: (row.triage_at as string | null) ?? null,
    ref: (row.ref as string | null) ?? null,
    report: row.report ? (JSON.parse(row.report as string) as ReportedSummary) : null,
    reportVersion: (row.report_version as number | null) ?? 0,
    fromHits: row.from_hits ? (JSON.parse(row.from_hits as string) as IncidentSummary) : null,
  };
}
