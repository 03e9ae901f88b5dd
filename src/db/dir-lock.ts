/**
 * One process per data directory. Two consoles on one directory would rewrite each other's public
 * settings (the URL gateways and `tripline hits` use) and race on the database; the second is
 * refused with the holder's pid. A lock left by a killed process is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** Locks held by this process: the same pid in the file is ours only if we hold it. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dir: string, what: string): { release(): void } {
  const file = join(dir, `${what}.pid`);
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(file, 'utf8').trim());
  } catch {
    holder = undefined;
  }
  const ours = holder === process.pid && held.has(file);
  if (holder && Number.isInteger(holder) && (ours || (holder !== process.pid && alive(holder)))) {
    throw new DataDirInUseError(`${dir} is in use by another ${what} (pid ${holder}); give this one its own --data`);
  }
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  held.add(file);
  return {
    release() {
      held.delete(file);
      try {
        if (Number(readFileSync(file, 'utf8').trim()) === process.pid) unlinkSync(file);
      } catch {
        // Already gone: nothing to release.
      }
    },
  };
}
