/**
 * Credential canaries: a user name and password planted where only an intruder would find them
 * (an engineering workstation's connection profile). The decoy accepts them, and a login with one
 * is a critical hit carrying the memo. Passwords are kept as scrypt hashes; attempted passwords
 * only as a keyed hash, so repeated guesses correlate while no password is ever stored.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/open.js';
import type { CredentialCheck } from '../decoys/opcua/server.js';
import { derive } from './deployment.js';

const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function hash(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}

/** User names an integrator might really have set up. */
const USERS = ['opcua_eng', 'svc_hmi', 'scada_ops', 'maint_eng', 'integrator', 'hmi_rw'];
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export function newUserName(): string {
  return `${USERS[randomBytes(1)[0]! % USERS.length]}${10 + (randomBytes(1)[0]! % 90)}`;
}

export function newPassword(length = 16): string {
  return [...randomBytes(length)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

export class CredentialStore implements CredentialCheck {
  private readonly tagKey: Buffer;

  constructor(private readonly db: Db, seed: Buffer) {
    this.tagKey = derive(seed, 'password-attempts');
  }

  async add(user: string, password: string, memo: string): Promise<void> {
    const salt = randomBytes(16);
    const key = await hash(password, salt);
    this.db.prepare('INSERT INTO credentials (user, salt, hash, memo, created_at) VALUES (?, ?, ?, ?, ?)').run(user, salt, key, memo, new Date().toISOString());
  }

  list(): { user: string; memo: string; createdAt: string }[] {
    return (this.db.prepare('SELECT user, memo, created_at FROM credentials ORDER BY created_at').all() as { user: string; memo: string; created_at: string }[]).map((r) => ({ user: r.user, memo: r.memo, createdAt: r.created_at }));
  }

  async check(user: string, password: string): Promise<{ kind: 'canary'; memo: string } | { kind: 'wrong-password' } | { kind: 'unknown-user' }> {
    // Read per attempt: a credential made by `tripline gateway credential new` while the gateway
    // runs works at once.
    const row = this.db.prepare('SELECT salt, hash, memo FROM credentials WHERE user = ?').get(user.slice(0, 256)) as { salt: Buffer; hash: Buffer; memo: string } | undefined;
    if (!row) return { kind: 'unknown-user' };
    const key = await hash(password.slice(0, 1024), row.salt);
    return timingSafeEqual(key, row.hash) ? { kind: 'canary', memo: row.memo } : { kind: 'wrong-password' };
  }

  passwordTag(password: string): string {
    return createHmac('sha256', this.tagKey).update(password).digest('hex').slice(0, 16);
  }
}
