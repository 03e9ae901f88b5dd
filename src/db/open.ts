/**
 * SQLite databases with a schema version (PRAGMA user_version) and forward-only migrations,
 * applied in one transaction at start. A database newer than this build is refused, not guessed at.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';

export type Db = Database.Database;

/** Migration N (1-based) takes the schema from version N-1 to N. */
export type Migration = (db: Db) => void;

export class SchemaTooNewError extends Error {}

export function openDatabase(file: string, migrations: readonly Migration[]): Db {
  const created = !existsSync(file);
  const db = new Database(file);
  try {
    // Secrets and attacker data live here: owner-only.
    if (created) chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a killed process; the OS syncs the WAL at checkpoints.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, file);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, migrations: readonly Migration[], file: string): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new SchemaTooNewError(`${file} has schema version ${current}, newer than this Tripline understands (${migrations.length}); upgrade Tripline or use another --data directory`);
  }
  if (current === migrations.length) return;
  db.transaction(() => {
    for (let v = current; v < migrations.length; v++) migrations[v]!(db);
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
