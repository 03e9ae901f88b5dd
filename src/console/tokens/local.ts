/**
 * Token commands run against the console's data directory (`--data`, like `console enroll`): they
 * open its database directly, so they work whether or not the console is running, and a running
 * console sees a new token at its next lookup.
 */
import { existsSync } from 'node:fs';
import { ConsoleStore } from '../store.js';
import { databaseFile, readPublicSettings } from '../settings.js';
import { TokenError, TokenStore } from './token-store.js';
import type { TokenSettings } from './view.js';
import { AuditLog, type AuditAction } from '../auth/audit.js';
import { userInfo } from 'node:os';

function cliUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

export interface LocalTokens {
  tokens: TokenStore;
  settings: TokenSettings;
  /** Writes the change to the console's audit log, as `cli:<user>`. */
  audit(action: AuditAction, tokenId: string, detail?: string): void;
  close(): void;
}

export function openLocalTokens(dataDir: string, overrides: { zone?: string; publicUrl?: string } = {}): LocalTokens {
  if (!existsSync(databaseFile(dataDir))) {
    throw new TokenError(`no console database in ${dataDir}: start \`tripline console --data ${dataDir}\` once first (is the path right?)`);
  }
  const saved = readPublicSettings(dataDir);
  const store = new ConsoleStore(databaseFile(dataDir));
  const savedPublicUrl = typeof saved?.publicUrl === 'string' ? saved.publicUrl : undefined;
  return {
    tokens: new TokenStore(store.db),
    audit: (action, tokenId, detail) => new AuditLog(store.db).record({ actor: `cli:${cliUser()}`, action, target: `canary-token:${tokenId}`, detail: detail ?? null }),
    settings: { zone: overrides.zone ?? saved?.dnsDomain ?? null, publicUrl: overrides.publicUrl ?? savedPublicUrl ?? saved?.consoleUrl ?? null },
    close: () => store.close(),
  };
}
