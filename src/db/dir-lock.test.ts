import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, lockDataDir } from './dir-lock.js';

describe('data directory lock', () => {
  it('refuses a second holder, names the first, and frees the directory on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-lock-'));
    const lock = lockDataDir(dir, 'console');
    expect(() => lockDataDir(dir, 'console')).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir, 'console')).toThrow(new RegExp(`in use by another console \\(pid ${process.pid}\\); give this one its own --data`));
    lock.release();
    expect(existsSync(join(dir, 'console.pid'))).toBe(false);
    lockDataDir(dir, 'console').release();
  });

  it('refuses a directory another live process holds, and takes over one a killed process left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-lock-'));
    writeFileSync(join(dir, 'console.pid'), `${process.ppid}\n`);
    expect(() => lockDataDir(dir, 'console')).toThrow(`pid ${process.ppid}`);
    // Pid 2^22 - 1 is above the kernel's default pid_max on small systems, and not running here.
    writeFileSync(join(dir, 'console.pid'), '4194303\n');
    lockDataDir(dir, 'console').release();
  });
});
