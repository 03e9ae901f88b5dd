/**
 * Tokens and their hits in the console's database (tables from the console store's migrations).
 * A token alerts while it is enabled; a rotated one keeps alerting until its grace period ends.
 */
import type { Db } from '../../db/open.js';
import { newHitId } from '../../core/hit.js';
import { newTokenId, type TokenKind } from './names.js';

export interface TokenRecord {
  id: string;
  kind: TokenKind;
  memo: string;
  /** What it was planted as: `bat`, `sh`, `stub:<name>`, or null for a bare token. */
  planted: string | null;
  createdAt: string;
  disabledAt: string | null;
  /** The token that replaced this one, after a rotation. */
  rotatedTo: string | null;
  /** A rotated token alerts until then. */
  graceUntil: string | null;
}

export type TokenChannel = 'dns' | 'http';

export interface TokenHit {
  id: string;
  tokenId: string;
  at: string;
  channel: TokenChannel;
  /** The resolver (DNS) or client (HTTP) that asked. */
  src: { ip: string | null };
  /** False when the token was disabled or past its grace period: recorded, not notified. */
  alerted: boolean;
  memo: string;
  /** DNS: the longest name looked up, every query type seen, the decoded generic data. */
  dns?: { name: string; queryType: string; queryTypes: string[]; queries: number; data?: string };
  /** HTTP: method, path, user agent and (bounded) headers. */
  http?: { method: string; path: string; userAgent: string | null; headers: Record<string, string> };
}

export const MAX_MEMO_CHARS = 500;
/** The seed's advice for credential-like tokens: replace them every 90 days. */
export const ROTATE_AFTER_DAYS = 90;

export class TokenError extends Error {}

export class TokenStore {
  private readonly selectToken;
  private readonly insertHitRow;

  constructor(private readonly db: Db) {
    this.selectToken = db.prepare('SELECT * FROM tokens WHERE id = ?');
    this.insertHitRow = db.prepare('INSERT INTO token_hits (id, token_id, at, channel, src_ip, alerted, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** Runs `fn` in one transaction: tokens made inside it vanish if it throws. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  create(kind: TokenKind, memo: string, planted: string | null = null): TokenRecord {
    const record: TokenRecord = { id: newTokenId(), kind, memo: checkMemo(memo), planted, createdAt: new Date().toISOString(), disabledAt: null, rotatedTo: null, graceUntil: null };
    this.db
      .prepare('INSERT INTO tokens (id, kind, memo, planted, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(record.id, record.kind, record.memo, record.planted, record.createdAt);
    return record;
  }

  get(id: string): TokenRecord | undefined {
    const row = this.selectToken.get(id.toLowerCase()) as Record<string, string | null> | undefined;
    return row && toToken(row);
  }

  list(): TokenRecord[] {
    return (this.db.prepare('SELECT * FROM tokens ORDER BY created_at, id').all() as Record<string, string | null>[]).map(toToken);
  }

  setDisabled(id: string, disabled: boolean): TokenRecord {
    // The stored id, not the caller's spelling: ids are case-insensitive, and an UPDATE by the
    // caller's text would touch nothing and still report success.
    const { id: stored } = this.require(id);
    this.db.prepare('UPDATE tokens SET disabled_at = ? WHERE id = ?').run(disabled ? new Date().toISOString() : null, stored);
    return this.get(stored)!;
  }

  /** Deletes the token; its hits stay as evidence. */
  delete(id: string): void {
    const { id: stored } = this.require(id);
    this.db.prepare('DELETE FROM tokens WHERE id = ?').run(stored);
  }

  /**
   * A new token with the same kind, memo and planting; the old one alerts for `graceDays` more,
   * so a copy planted before the rotation is still caught while the new one is rolled out.
   */
  rotate(id: string, graceDays: number): { old: TokenRecord; replacement: TokenRecord } {
    return this.db.transaction(() => {
      const old = this.require(id);
      if (old.rotatedTo) throw new TokenError(`token ${id} was rotated already (to ${old.rotatedTo})`);
      const replacement = this.create(old.kind, old.memo, old.planted);
      const graceUntil = new Date(Date.now() + graceDays * 86_400_000).toISOString();
      this.db.prepare('UPDATE tokens SET rotated_to = ?, grace_until = ? WHERE id = ?').run(replacement.id, graceUntil, old.id);
      return { old: this.get(old.id)!, replacement };
    })();
  }

  insertHit(hit: Omit<TokenHit, 'id'>): TokenHit {
    const stored: TokenHit = { id: newHitId(), ...hit };
    this.insertHitRow.run(stored.id, stored.tokenId, stored.at, stored.channel, stored.src.ip, stored.alerted ? 1 : 0, JSON.stringify(stored));
    return stored;
  }

  /** Newest first; of one token when given. */
  hits(opts: { limit: number; tokenId?: string }): TokenHit[] {
    const rows = (opts.tokenId
      ? this.db.prepare('SELECT body FROM token_hits WHERE token_id = ? ORDER BY seq DESC LIMIT ?').all(opts.tokenId.toLowerCase(), opts.limit)
      : this.db.prepare('SELECT body FROM token_hits ORDER BY seq DESC LIMIT ?').all(opts.limit)) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as TokenHit);
  }

  private require(id: string): TokenRecord {
    const token = this.get(id);
    if (!token) throw new TokenError(`no token ${id} (see \`tripline token list\`)`);
    return token;
  }
}

/** Whether a hit on this token notifies: enabled, and not past a rotation's grace period. */
export function alerts(token: TokenRecord, now = Date.now()): boolean {
  if (token.disabledAt) return false;
  return !(token.graceUntil && Date.parse(token.graceUntil) < now);
}

/** Tokens older than ROTATE_AFTER_DAYS and not yet rotated. */
export function rotationDue(token: TokenRecord, now = Date.now()): boolean {
  return !token.rotatedTo && now - Date.parse(token.createdAt) > ROTATE_AFTER_DAYS * 86_400_000;
}

function checkMemo(memo: string): string {
  const text = memo.trim();
  if (!text) throw new TokenError('a token needs a memo: where it is planted, e.g. "SQL backup share, HIST-01"');
  if (text.length > MAX_MEMO_CHARS) throw new TokenError(`memo is ${text.length} characters; at most ${MAX_MEMO_CHARS}`);
  return text;
}

function toToken(row: Record<string, string | null>): TokenRecord {
  return {
    id: row.id!,
    kind: row.kind as TokenKind,
    memo: row.memo!,
    planted: row.planted ?? null,
    createdAt: row.created_at!,
    disabledAt: row.disabled_at ?? null,
    rotatedTo: row.rotated_to ?? null,
    graceUntil: row.grace_until ?? null,
  };
}
