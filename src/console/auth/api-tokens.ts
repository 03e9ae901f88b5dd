/**
 * Bearer tokens for automation (SIEM pulls, scripts). The console's bootstrap token (in the data
 * dir, `default`) always works; further named tokens are created in the dashboard or API, shown
 * once, stored as SHA-256 only, and revocable.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/open.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface ApiTokenInfo {
  id: number;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export class ApiTokens {
  /** Null when there is none (the command-line tools open the store without one). */
  private readonly bootstrap: Buffer | null;

  constructor(private readonly db: Db, bootstrapToken: string | null) {
    this.bootstrap = bootstrapToken ? digest(bootstrapToken) : null;
  }

  /** The token's name, or undefined when it is not a live token. */
  verify(token: string): string | undefined {
    if (token.length > 200) return undefined;
    const hash = digest(token);
    // Equal-length digests: the comparison leaks nothing about the token.
    if (this.bootstrap && timingSafeEqual(hash, this.bootstrap)) return 'default';
    const row = this.db.prepare('SELECT id, name, revoked_at FROM api_tokens WHERE token_hash = ?').get(hash.toString('base64url')) as { id: number; name: string; revoked_at: string | null } | undefined;
    if (!row || row.revoked_at) return undefined;
    this.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)").run(new Date().toISOString(), row.id, new Date(Date.now() - 60_000).toISOString());
    return row.name;
  }

  create(name: string): { token: string; info: ApiTokenInfo } {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$/.test(name) || name === 'default') throw new Error('token name must be 1–64 letters, digits, _ . - (and not "default")');
    if (this.db.prepare('SELECT 1 FROM api_tokens WHERE name = ?').get(name)) throw new Error(`a token named "${name}" exists`);
    const token = `tl_${randomBytes(32).toString('base64url')}`;
    const createdAt = new Date().toISOString();
    const id = Number(this.db.prepare('INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?)').run(name, digest(token).toString('base64url'), createdAt).lastInsertRowid);
    return { token, info: { id, name, createdAt, lastUsedAt: null, revokedAt: null } };
  }

  revoke(id: number): boolean {
    return this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id).changes === 1;
  }

  list(): ApiTokenInfo[] {
    return (this.db.prepare('SELECT * FROM api_tokens ORDER BY id').all() as Record<string, string | number | null>[]).map((r) => ({
      id: r.id as number,
      name: r.name as string,
      createdAt: r.created_at as string,
      lastUsedAt: r.last_used_at as string | null,
      revokedAt: r.revoked_at as string | null,
    }));
  }
}
