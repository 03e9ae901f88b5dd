/**
 * Files in the console's data dir that other commands run against the same `--data` need while
 * the console runs: its public settings (the URL gateways reach it at) and the API token.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const PublicSettings = z.object({ version: z.literal(1), consoleUrl: z.string().url(), dnsDomain: z.string().optional() }).passthrough();
export type PublicSettings = z.infer<typeof PublicSettings>;

export const settingsFile = (dataDir: string) => join(dataDir, 'console.json');
export const apiTokenFile = (dataDir: string) => join(dataDir, 'api-token');
export const databaseFile = (dataDir: string) => join(dataDir, 'console.db');

export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

export function writePublicSettings(dataDir: string, settings: PublicSettings): void {
  writeAtomic(settingsFile(dataDir), JSON.stringify(settings, null, 2) + '\n', 0o644);
}

export function readPublicSettings(dataDir: string): PublicSettings | undefined {
  const file = settingsFile(dataDir);
  if (!existsSync(file)) return undefined;
  const parsed = PublicSettings.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

export function readApiToken(dataDir: string): string | undefined {
  const file = apiTokenFile(dataDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** The stored token, or a new one written owner-only. */
export function loadOrCreateApiToken(dataDir: string): { token: string; file: string; created: boolean } {
  const file = apiTokenFile(dataDir);
  const existing = readApiToken(dataDir);
  if (existing) return { token: existing, file, created: false };
  const token = randomBytes(32).toString('base64url');
  writeAtomic(file, token + '\n', 0o600);
  return { token, file, created: true };
}

export function storeApiToken(dataDir: string, token: string): { token: string; file: string } {
  const file = apiTokenFile(dataDir);
  if (readApiToken(dataDir) !== token) writeAtomic(file, token + '\n', 0o600);
  return { token, file };
}

/** Atomic write (temp + rename) with the mode set before the content is visible. */
export function writeAtomic(file: string, content: string, mode = 0o600, encoding: BufferEncoding = 'utf8'): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode, encoding });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
