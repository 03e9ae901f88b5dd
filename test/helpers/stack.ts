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

export async function startStack(opts: { consoleUrl?: string } = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-test-'));
  const console_ = await startConsole({ dataDir: join(dir, 'console'), httpHost: '127.0.0.1', httpPort: 0, apiToken: API_TOKEN, log: silentLog });
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
