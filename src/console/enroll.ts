/** Registers a gateway with the console and writes its enrollment file (owner-only). */
import { ConsoleStore } from './store.js';
import { existsSync } from 'node:fs';
import { databaseFile, readPublicSettings, writeAtomic } from './settings.js';
import type { Enrollment } from '../gateway/enrollment.js';

export class EnrollError extends Error {}

export function enrollGateway(opts: { dataDir: string; name: string; out: string; consoleUrl?: string; dnsDomain?: string }): Enrollment {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$/.test(opts.name)) {
    throw new EnrollError(`gateway name "${opts.name}" must be 1–64 letters, digits, _ . - (e.g. lift-station-07)`);
  }
  if (!existsSync(databaseFile(opts.dataDir))) {
    throw new EnrollError(`no console database in ${opts.dataDir}: start \`tripline console --data ${opts.dataDir}\` once first (is the path right?)`);
  }
  const settings = readPublicSettings(opts.dataDir);
  const consoleUrl = opts.consoleUrl ?? settings?.consoleUrl;
  const dnsDomain = opts.dnsDomain ?? settings?.dnsDomain;
  if (!consoleUrl) {
    throw new EnrollError(`no console URL known for ${opts.dataDir}: start the console with this --data once, or pass --console-url`);
  }
  assertConsoleUrl(consoleUrl);
  const store = new ConsoleStore(databaseFile(opts.dataDir));
  try {
    if (store.gatewayByName(opts.name)) throw new EnrollError(`a gateway named "${opts.name}" is already enrolled; choose another name`);
    // The file is written inside the transaction: if it cannot be, the gateway is not enrolled.
    return store.db.transaction(() => {
      const gw = store.enrollGateway(opts.name);
      const enrollment: Enrollment = { version: 1, gatewayId: gw.id, name: gw.name, secret: gw.secret, consoleUrl, ...(dnsDomain ? { dnsDomain } : {}) };
      try {
        writeAtomic(opts.out, JSON.stringify(enrollment, null, 2) + '\n', 0o600);
      } catch (err) {
        throw new EnrollError(`cannot write ${opts.out}: ${(err as Error).message.replace(/\.\d+\.tmp'/, "'")}`);
      }
      return enrollment;
    })();
  } finally {
    store.close();
  }
}

/** Gateways need a URL they can POST to: http(s), with a host. */
export function assertConsoleUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !parsed.hostname) {
    throw new EnrollError(`console URL "${url}" must look like http://HOST:PORT (or https:// behind a TLS proxy)`);
  }
}
