/** A console and an enrolled gateway in this process, on loopback ports and temporary SQLite files. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startConsole, type RunningConsole } from '../../src/console/console.js';
import { enrollGateway } from '../../src/console/enroll.js';
import { startGateway, type RunningGateway } from '../../src/gateway/gateway.js';
import { loadEnrollment } from '../../src/gateway/enrollment.js';
import { loadProfile } from '../../src/profile/load.js';
import type { StoredHit } from '../../src/console/store.js';

export const API_TOKEN = 'test-token-0123456789';
export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Stack {
  dir: string;
  console: RunningConsole;
  gateway: RunningGateway;
  enrollmentFile: string;
  hits(query?: string): Promise<StoredHit[]>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export const ZONE = 'canary.example.net';

export interface StackOptions {
  consoleUrl?: string;
  /** Serve the canary zone on the console's DNS port. */
  dns?: boolean;
  /** The gateway's resolver: a port on 127.0.0.1, or a function of the console's DNS port. */
  resolverPort?: number | ((consoleDnsPort: number) => Promise<number> | number);
  dnsRetryMs?: number;
  dnsTimeoutMs?: number;
  canarytoken?: { hostname: string; resolverPort: number };
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-test-'));
  const console_ = await startConsole({
    dataDir: join(dir, 'console'),
    httpHost: '127.0.0.1',
    httpPort: 0,
    apiToken: API_TOKEN,
    log: silentLog,
    ...(opts.dns ? { dnsZones: [ZONE], dnsHost: '127.0.0.1', dnsPort: 0 } : {}),
  });
  const enrollmentFile = join(dir, 'enrollment.json');
  enrollGateway({ dataDir: join(dir, 'console'), name: 'test-gw', out: enrollmentFile, consoleUrl: opts.consoleUrl ?? console_.url });
  const gateway = await startGateway({
    enrollment: loadEnrollment(enrollmentFile),
    profile: loadProfile('water-lift-station'),
    dataDir: join(dir, 'gateway'),
    modbusHost: '127.0.0.1',
    modbusPort: 0,
    log: silentLog,
    relay: { backoff: { initialMs: 50, maxMs: 300 } },
    dns: opts.resolverPort === undefined ? undefined : {
      resolver: { host: '127.0.0.1', port: typeof opts.resolverPort === 'number' ? opts.resolverPort : await opts.resolverPort(console_.dnsPort!) },
      retryMs: opts.dnsRetryMs ?? 60_000,
      timeoutMs: opts.dnsTimeoutMs ?? 1_000,
    },
    canarytoken: opts.canarytoken && { hostname: opts.canarytoken.hostname, resolver: { host: '127.0.0.1', port: opts.canarytoken.resolverPort } },
  });
  const api = (path: string) => fetch(`${console_.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  return {
    dir,
    console: console_,
    gateway,
    enrollmentFile,
    hits: async (query = '') => ((await (await api(`/api/v1/hits${query}`)).json()) as { hits: StoredHit[] }).hits,
    metrics: async () => (await api('/metrics')).text(),
    async stop() {
      await gateway.stop();
      await console_.stop();
    },
  };
}
