/**
 * The deployment seed: 32 random bytes made at a gateway's first start and kept in its data
 * directory. Everything a decoy derives from it (serial numbers, certificate, credential hashes)
 * is stable across restarts and different between two deployments of the same profile, so two
 * sites never show a scanner the same "unique" device.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SEED_FILE = 'deployment-seed';

export function loadDeploymentSeed(dataDir: string): Buffer {
  const file = join(dataDir, SEED_FILE);
  if (existsSync(file)) {
    const seed = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (seed.length !== 32) throw new Error(`${file} is not a 32-byte hex seed`);
    return seed;
  }
  const seed = randomBytes(32);
  // 'wx': never overwrite a seed another process wrote meanwhile.
  writeFileSync(file, seed.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return seed;
}

/** A keyed derivation for one purpose. */
export function derive(seed: Buffer, purpose: string): Buffer {
  return createHmac('sha256', seed).update(`tripline-deployment-v1\n${purpose}`).digest();
}

/**
 * A serial in the profile serial's own shape: the first two characters (a vendor's plant or
 * year code) kept, every other digit replaced by a derived digit, every letter by a derived
 * letter of the same case and range (hex-looking serials stay hex-looking).
 */
export function deploymentSerial(seed: Buffer, profileSerial: string): string {
  const bytes = derive(seed, `serial:${profileSerial}`);
  let i = 0;
  const next = () => bytes[i++ % bytes.length]!;
  return [...profileSerial]
    .map((ch, index) => {
      if (index < 2) return ch;
      if (/[0-9]/.test(ch)) return String(next() % 10);
      if (/[A-F]/.test(ch)) return 'ABCDEF'[next() % 6];
      if (/[a-f]/.test(ch)) return 'abcdef'[next() % 6];
      if (/[A-Z]/.test(ch)) return String.fromCharCode(65 + (next() % 26));
      if (/[a-z]/.test(ch)) return String.fromCharCode(97 + (next() % 26));
      return ch;
    })
    .join('');
}
