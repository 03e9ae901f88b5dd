import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaTooNewError, openDatabase, schemaVersion, type Migration } from './open.js';

const v1: Migration = (db) => db.exec('CREATE TABLE a (x INTEGER)');
const v2: Migration = (db) => db.exec('ALTER TABLE a ADD COLUMN y TEXT');

describe('schema migrations', () => {
  it('creates an owner-only WAL database at the latest version and upgrades it later', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tripline-db-')), 'x.db');
    const db = openDatabase(file, [v1]);
    expect(schemaVersion(db)).toBe(1);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.prepare('INSERT INTO a (x) VALUES (1)').run();
    db.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const upgraded = openDatabase(file, [v1, v2]);
    expect(schemaVersion(upgraded)).toBe(2);
    expect(upgraded.prepare('SELECT x, y FROM a').get()).toEqual({ x: 1, y: null });
    upgraded.close();
  });

  it('refuses a database written by a newer release', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tripline-db-')), 'x.db');
    openDatabase(file, [v1, v2]).close();
    expect(() => openDatabase(file, [v1])).toThrow(SchemaTooNewError);
  });
});
