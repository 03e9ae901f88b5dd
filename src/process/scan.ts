/** Runs a profile's process models on its scan cycle against the tag store every decoy reads. */
import type { Profile } from '../profile/schema.js';
import type { TagStore } from '../tags/tag-store.js';
import { ProcessEngine } from './engine.js';

export function startProcess(process: NonNullable<Profile['process']>, tags: TagStore): { stop(): void } {
  const engine = new ProcessEngine(process.models, tags);
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    // A stalled event loop must not make the plant jump: at most two scans' worth per step.
    engine.step(Math.min(now - last, 2 * process.scanMs) / 1000, now);
    last = now;
  }, process.scanMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
