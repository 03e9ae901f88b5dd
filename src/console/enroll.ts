/** Registers a gateway with the console and writes its enrollment file (owner-only). */
import { ConsoleStore } from './store.js';
import { databaseFile, ensureDataDir, readPublicSettings, writeAtomic } from './settings.js';
import type { Enrollment } from '../gateway/enrollment.js';

export class EnrollError extends Error {}

export function enrollGateway(opts: { dataDir: string; name: string; out: string; consoleUrl?: string }): Enrollment {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$/.test(opts.name)) {
    throw new EnrollError(`gateway name "${opts.name}" must be 1–64 letters, digits, _ . - (e.g. lift-station-07)`);
  }
  ensureDataDir(opts.dataDir);
  const consoleUrl = opts.consoleUrl ?? readPublicSettings(opts.dataDir)?.consoleUrl;
  if (!consoleUrl) {
    throw new EnrollError(`no console URL known for ${opts.dataDir}: start the console with this --data once, or pass --console-url`);
  }
  const store = new ConsoleStore(databaseFile(opts.dataDir));
  try {
    if (store.gatewayByName(opts.name)) throw new EnrollError(`a gateway named "${opts.name}" is already enrolled; choose another name`);
    const gw = store.enrollGateway(opts.name);
    const enrollment: Enrollment = { version: 1, gatewayId: gw.id, name: gw.name, secret: gw.secret, consoleUrl };
    writeAtomic(opts.out, JSON.stringify(enrollment, null, 2) + '\n', 0o600);
    return enrollment;
  } finally {
    store.close();
  }
}
