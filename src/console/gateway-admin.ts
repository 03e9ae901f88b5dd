/**
 * Revoking a gateway and rotating its secret from the command line, against the console's data
 * dir (the running console sees the change within seconds). Same actions, same audit log as the
 * dashboard and the API.
 */
import { userInfo } from 'node:os';
import { ConsoleStore } from './store.js';
import { AuditLog } from './auth/audit.js';
import { WhitelistStore } from './whitelist-store.js';
import { ApiTokens } from './auth/api-tokens.js';
import { ActionError, SocActions } from './soc-actions.js';
import { databaseFile, readPublicSettings, writeAtomic } from './settings.js';
import { assertConsoleUrl, EnrollError } from './enroll.js';
import { existsSync } from 'node:fs';

function withActions<T>(dataDir: string, fn: (actions: SocActions, store: ConsoleStore) => T, consoleUrl?: string): T {
  if (!existsSync(databaseFile(dataDir))) throw new EnrollError(`no console database in ${dataDir} (is --data right?)`);
  const store = new ConsoleStore(databaseFile(dataDir));
  try {
    const settings = readPublicSettings(dataDir);
    const actions = new SocActions({
      store,
      audit: new AuditLog(store.db),
      whitelist: new WhitelistStore(store.db, []),
      apiTokens: new ApiTokens(store.db, null),
      enrollmentDefaults: () => ({ consoleUrl: consoleUrl ?? settings?.consoleUrl ?? '', ...(settings?.dnsDomain ? { dnsDomain: settings.dnsDomain } : {}) }),
    });
    return fn(actions, store);
  } catch (err) {
    if (err instanceof ActionError) throw new EnrollError(err.message);
    throw err;
  } finally {
    store.close();
  }
}

const cliActor = () => ({ name: `cli:${safeUser()}`, srcIp: null });

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

function gatewayId(store: ConsoleStore, name: string): string {
  const gateway = store.gatewayByName(name);
  if (!gateway) throw new EnrollError(`no gateway named "${name}" (tripline hits, or the dashboard's gateways page, lists them)`);
  return gateway.id;
}

export function revokeGatewayByName(dataDir: string, name: string): void {
  withActions(dataDir, (actions, store) => actions.revokeGateway(gatewayId(store, name), cliActor()));
}

/** The new enrollment file is written before anything else can fail, owner-only. */
export function rotateGatewayByName(dataDir: string, name: string, out: string, consoleUrl?: string): void {
  withActions(dataDir, (actions, store) =>
    store.db.transaction(() => {
      const enrollment = actions.rotateGateway(gatewayId(store, name), cliActor());
      if (!enrollment.consoleUrl) throw new EnrollError(`no console URL known for ${dataDir}: start the console with this --data once, or pass --console-url`);
      assertConsoleUrl(enrollment.consoleUrl);
      writeAtomic(out, JSON.stringify(enrollment, null, 2) + '\n', 0o600);
    })(),
    consoleUrl,
  );
}
