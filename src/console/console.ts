/** Assembles a console: data dir → store → HTTP app → listening. */
import type { Logger } from 'pino';
import { ConsoleStore } from './store.js';
import { ConsoleMetrics } from './metrics.js';
import { buildApp } from './http/app.js';
import { databaseFile, ensureDataDir, loadOrCreateApiToken, writePublicSettings } from './settings.js';
import type { Hit } from '../core/hit.js';

export interface ConsoleOptions {
  dataDir: string;
  httpHost: string;
  httpPort: number;
  /** The URL gateways use; defaults to this listener's address. */
  consoleUrl?: string;
  apiToken?: string;
  log: Logger;
  onNewHits?: (hits: Hit[], gatewayId: string) => void;
}

export interface RunningConsole {
  url: string;
  httpPort: number;
  apiToken: string;
  /** Where the generated token was stored, when none was given. */
  apiTokenFile: string | null;
  store: ConsoleStore;
  metrics: ConsoleMetrics;
  stop(): Promise<void>;
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  ensureDataDir(options.dataDir);
  const store = new ConsoleStore(databaseFile(options.dataDir));
  const metrics = new ConsoleMetrics();
  let apiToken = options.apiToken;
  let apiTokenFile: string | null = null;
  if (!apiToken) {
    const stored = loadOrCreateApiToken(options.dataDir);
    apiToken = stored.token;
    apiTokenFile = stored.file;
  }
  const app = await buildApp({ store, metrics, log: options.log, apiToken, onNewHits: options.onNewHits ?? (() => {}) });
  try {
    await app.listen({ host: options.httpHost, port: options.httpPort });
  } catch (err) {
    store.close();
    throw err;
  }
  const address = app.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : options.httpPort;
  const url = options.consoleUrl ?? `http://${urlHost(options.httpHost)}:${httpPort}`;
  writePublicSettings(options.dataDir, { version: 1, consoleUrl: url });
  options.log.info({ url, data: options.dataDir }, 'console started');
  return {
    url,
    httpPort,
    apiToken,
    apiTokenFile,
    store,
    metrics,
    async stop() {
      await app.close();
      store.close();
    },
  };
}

/** A wildcard listener is reachable on loopback at least; remote gateways need --console-url. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
