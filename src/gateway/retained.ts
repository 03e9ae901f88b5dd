/**
 * Retentive memory: what was written to a decoy's setpoints and commands survives a restart, as
 * a PLC's retained variables do (a decoy that forgets a write overnight gives itself away). Saved
 * every few seconds when changed, and at stop, by an atomic rename.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Profile } from '../profile/schema.js';
import type { TagStore } from '../tags/tag-store.js';

const SAVE_EVERY_MS = 5_000;

export function retainWritablePoints(profile: Profile, tags: TagStore, file: string, onError: (err: unknown) => void): { stop(): void } {
  const writable = profile.points.filter((p) => p.access === 'read-write' && p.modbus).map((p) => p.name);
  if (existsSync(file)) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      for (const name of writable) {
        const value = saved[name];
        if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') tags.write(name, value);
      }
    } catch (err) {
      onError(err);
    }
  }
  const snapshot = () => JSON.stringify(Object.fromEntries(writable.map((name) => [name, tags.read(name)])));
  let last = snapshot();
  const save = () => {
    const now = snapshot();
    if (now === last) return;
    try {
      writeFileSync(`${file}.tmp`, now, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
      last = now;
    } catch (err) {
      onError(err);
    }
  };
  const timer = setInterval(save, SAVE_EVERY_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      save();
    },
  };
}
