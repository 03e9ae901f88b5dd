import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnrollmentError, loadEnrollment } from './enrollment.js';

const ENROLLMENT = JSON.stringify({
  version: 1,
  gatewayId: 'gw-0123456789abcdef',
  name: 'lift-station-07',
  secret: 'A'.repeat(43),
  consoleUrl: 'http://127.0.0.1:8470',
  dnsDomain: 'canary.example.net',
});

function fileWithMode(dir: string, mode: number): string {
  const file = join(dir, `enrollment-${mode.toString(8)}`);
  writeFileSync(file, ENROLLMENT);
  chmodSync(file, mode);
  return file;
}

describe('enrollment file permissions', () => {
  const saved = process.env.CREDENTIALS_DIRECTORY;
  afterEach(() => {
    if (saved === undefined) delete process.env.CREDENTIALS_DIRECTORY;
    else process.env.CREDENTIALS_DIRECTORY = saved;
  });

  it('loads an owner-only file and refuses one that group or others can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-enroll-'));
    expect(loadEnrollment(fileWithMode(dir, 0o600)).name).toBe('lift-station-07');
    expect(loadEnrollment(fileWithMode(dir, 0o400)).name).toBe('lift-station-07');
    for (const mode of [0o644, 0o640, 0o604, 0o440]) {
      expect(() => loadEnrollment(fileWithMode(dir, mode))).toThrow(EnrollmentError);
    }
    expect(() => loadEnrollment(fileWithMode(dir, 0o644))).toThrow(/mode 0644.*chmod 600/);
  });

  it("accepts systemd's credential file (0440: the ACL mask) only inside $CREDENTIALS_DIRECTORY, and never world-readable", () => {
    const root = mkdtempSync(join(tmpdir(), 'tripline-cred-'));
    // Only systemd's credential mounts count; one that merely names a directory does not.
    const untrusted = join(root, 'credentials');
    mkdirSync(untrusted);
    process.env.CREDENTIALS_DIRECTORY = untrusted;
    expect(() => loadEnrollment(fileWithMode(untrusted, 0o440))).toThrow(/readable by group or others/);
    let credentials: string;
    try {
      mkdirSync('/run/credentials', { recursive: true });
      credentials = mkdtempSync('/run/credentials/tripline-test-');
    } catch {
      console.warn('cannot create a directory under /run/credentials (not root?): the credential case is skipped');
      return;
    }
    process.env.CREDENTIALS_DIRECTORY = credentials;
    const inside = join(credentials, 'enrollment');
    writeFileSync(inside, ENROLLMENT);
    chmodSync(inside, 0o440);
    expect(loadEnrollment(inside).gatewayId).toBe('gw-0123456789abcdef');
    chmodSync(inside, 0o444);
    expect(() => loadEnrollment(inside)).toThrow(/readable by group or others/);
    // The same mode next to the credentials directory is refused.
    expect(() => loadEnrollment(fileWithMode(root, 0o440))).toThrow(/readable by group or others/);
    rmSync(credentials, { recursive: true, force: true });
  });
});
