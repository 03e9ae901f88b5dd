/**
 * The single admin account. Its password is set on first start: from `--admin-password-file` or
 * TRIPLINE_ADMIN_PASSWORD when given (non-interactive installs), else generated and written
 * owner-only into the data dir for the operator to read once and change.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../db/open.js';
import { writeAtomic } from '../settings.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';

export const ADMIN_USER = 'admin';
const KEY = 'admin_password';

export const initialPasswordFile = (dataDir: string) => join(dataDir, 'admin-password');

export class AdminAccount {
  constructor(private readonly db: Db) {}

  private stored(): string | undefined {
    return (this.db.prepare('SELECT value FROM console_settings WHERE key = ?').get(KEY) as { value: string } | undefined)?.value;
  }

  async setPassword(password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new Error(problem);
    this.db.prepare('INSERT INTO console_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, await hashPassword(password));
  }

  /** Constant work whether or not a password is set, so timing does not tell. */
  async verify(username: string, password: string): Promise<boolean> {
    const stored = this.stored();
    const ok = await verifyPassword(password.slice(0, 1024), stored ?? DUMMY_HASH);
    return ok && stored !== undefined && username === ADMIN_USER;
  }

  /**
   * Makes sure a password is set. `given` (from file or environment) replaces the stored one when
   * it differs, so an operator can reset it by changing the file. Returns what happened.
   */
  async ensure(dataDir: string, given: string | undefined): Promise<'unchanged' | 'set' | { generatedFile: string }> {
    const stored = this.stored();
    if (given !== undefined) {
      if (stored && (await verifyPassword(given, stored))) return 'unchanged';
      await this.setPassword(given);
      return 'set';
    }
    if (stored) return 'unchanged';
    const password = randomBytes(18).toString('base64url');
    const file = initialPasswordFile(dataDir);
    writeAtomic(file, password + '\n', 0o600);
    await this.setPassword(password);
    return { generatedFile: file };
  }

  hasInitialPasswordFile(dataDir: string): boolean {
    return existsSync(initialPasswordFile(dataDir));
  }
}

// A valid hash of a random string: verifying against it costs what a real check costs.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
