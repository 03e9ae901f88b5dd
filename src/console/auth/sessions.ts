/**
 * Dashboard sessions. The cookie holds a random id; the database holds only its SHA-256, so a
 * copy of console.db does not log anyone in. Each session carries its own CSRF token.
 * Sessions end after 30 minutes idle or 12 hours in all, whichever comes first.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/open.js';

export const SESSION_COOKIE = 'tripline_session';
export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 60 * 60_000;
/** Writing seen_at on every request would write on every page view; a minute's precision is enough. */
const TOUCH_EVERY_MS = 60_000;

export interface Session {
  username: string;
  csrf: string;
  createdAt: number;
}

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

export class SessionStore {
  constructor(private readonly db: Db, private readonly now = Date.now) {}

  /** A new session; the returned id goes into the cookie and nowhere else. */
  create(username: string, srcIp: string | null): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const session = { username, csrf: randomBytes(32).toString('base64url'), createdAt: this.now() };
    this.db.prepare('DELETE FROM sessions WHERE seen_at < ? OR created_at < ?').run(this.now() - IDLE_MS, this.now() - ABSOLUTE_MS);
    this.db.prepare('INSERT INTO sessions (id_hash, username, csrf, created_at, seen_at, src_ip) VALUES (?, ?, ?, ?, ?, ?)').run(digest(id), username, session.csrf, session.createdAt, session.createdAt, srcIp);
    return { id, session };
  }

  /** The live session for a cookie value, or undefined (expired ones are deleted on sight). */
  lookup(id: string | undefined): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const key = digest(id);
    const row = this.db.prepare('SELECT username, csrf, created_at, seen_at FROM sessions WHERE id_hash = ?').get(key) as { username: string; csrf: string; created_at: number; seen_at: number } | undefined;
    if (!row) return undefined;
    const now = this.now();
    if (now - row.seen_at > IDLE_MS || now - row.created_at > ABSOLUTE_MS) {
      this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(key);
      return undefined;
    }
    if (now - row.seen_at > TOUCH_EVERY_MS) this.db.prepare('UPDATE sessions SET seen_at = ? WHERE id_hash = ?').run(now, key);
    return { username: row.username, csrf: row.csrf, createdAt: row.created_at };
  }

  destroy(id: string | undefined): void {
    if (id) this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(digest(id));
  }

  /** After a password change, every other session ends. */
  destroyAll(): void {
    this.db.prepare('DELETE FROM sessions').run();
  }
}
