/** A console and an enrolled gateway in this process, on loopback ports and temporary SQLite files. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { startConsole, type RunningConsole } from '../../src/console/console.js';
import { enrollGateway } from '../../src/console/enroll.js';
import { startGateway, type RunningGateway } from '../../src/gateway/gateway.js';
import { loadEnrollment } from '../../src/gateway/enrollment.js';
import { loadProfile } from '../../src/profile/load.js';
import type { StoredHit } from '../../src/console/store.js';
import type { DecoyFile } from '../../src/decoys/opcua/file-node.js';
import type { ModbusRtuOptions } from '../../src/decoys/modbus/rtu-server.js';

export const API_TOKEN = 'test-token-0123456789';
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Stack {
  dir: string;
  console: RunningConsole;
  gateway: RunningGateway;
  enrollmentFile: string;
  api(path: string): Promise<Response>;
  hits(query?: string): Promise<StoredHit[]>;
  metrics(): Promise<string>;
  /** Stops the console, runs `whileDown`, waits, and starts it again on the same ports and data. */
  restartConsole(downMs?: number, whileDown?: () => Promise<void>): Promise<void>;
  stopGateway(): Promise<void>;
  startGateway(): Promise<void>;
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
  heartbeatIntervalSeconds?: number;
  silentAfterMissed?: number;
  outboxLimit?: number;
  /** Serve the profile's OPC UA server (on a free port). */
  opcua?: boolean;
  /** Files the OPC UA decoy offers under its device object, made once the console runs (stubs stamped at it). */
  opcuaFiles?: (console: RunningConsole) => DecoyFile[];
  /** Gateway data directory (default: under the stack's temporary directory). */
  gatewayDataDir?: string;
  /** The gateway's logger (default: silent). */
  gatewayLog?: Logger;
  /** Device profile (default: water-lift-station). */
  profile?: string;
  /** The console's scanner whitelist (CIDRs). */
  whitelist?: string[];
  /** The console's notification destinations. */
  notify?: { webhooks?: string[]; syslog?: string[]; specs?: string[] };
  /** Networks allowed to reach the dashboard and API. */
  allowCidrs?: string[];
  /** The first decoy also answers Modbus RTU on this serial line. */
  rtu?: ModbusRtuOptions;
  /** Further devices on the same gateway, on free ports. */
  extraDecoys?: { profile: string; opcua?: boolean }[];
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-test-'));
  let httpPort = 0;
  let dnsPort = 0;
  const launchConsole = async () => {
    const running = await startConsole({
      dataDir: join(dir, 'console'),
      httpHost: '127.0.0.1',
      httpPort,
      apiToken: API_TOKEN,
      log: silentLog,
      silentAfterMissed: opts.silentAfterMissed,
      whitelist: opts.whitelist,
      notify: opts.notify,
      adminPassword: ADMIN_PASSWORD,
      allowCidrs: opts.allowCidrs,
      ...(opts.dns ? { dnsZones: [ZONE], dnsHost: '127.0.0.1', dnsPort } : {}),
    });
    // A restarted console comes back on the same ports, as a real one would.
    httpPort = running.httpPort;
    dnsPort = running.dnsPort ?? 0;
    return running;
  };
  const console_ = await launchConsole();
  const enrollmentFile = join(dir, 'enrollment.json');
  enrollGateway({ dataDir: join(dir, 'console'), name: 'test-gw', out: enrollmentFile, consoleUrl: opts.consoleUrl ?? console_.url });
  const resolverPort = opts.resolverPort === undefined ? undefined : typeof opts.resolverPort === 'number' ? opts.resolverPort : await opts.resolverPort(console_.dnsPort!);
  const opcuaFiles = opts.opcuaFiles?.(console_);
  let modbusPort = 0;
  let opcuaPort = 0;
  const launchGateway = async () => {
    const running = await startGateway({
      enrollment: loadEnrollment(enrollmentFile),
      profile: loadProfile(opts.profile ?? 'water-lift-station'),
      dataDir: opts.gatewayDataDir ?? join(dir, 'gateway'),
      modbusHost: '127.0.0.1',
      modbusPort,
      log: opts.gatewayLog ?? silentLog,
      relay: { backoff: { initialMs: 50, maxMs: 300 } },
      heartbeatIntervalSeconds: opts.heartbeatIntervalSeconds,
      outboxLimit: opts.outboxLimit,
      opcua: opts.opcua ? { port: opcuaPort, files: opcuaFiles } : undefined,
      rtu: opts.rtu,
      extraDecoys: opts.extraDecoys?.map((d) => ({ profile: loadProfile(d.profile), modbusHost: '127.0.0.1', modbusPort: 0, opcua: d.opcua ? { port: 0 } : undefined })),
      dns: resolverPort === undefined ? undefined : { resolver: { host: '127.0.0.1', port: resolverPort }, retryMs: opts.dnsRetryMs ?? 60_000, timeoutMs: opts.dnsTimeoutMs ?? 1_000 },
      canarytoken: opts.canarytoken && { hostname: opts.canarytoken.hostname, resolver: { host: '127.0.0.1', port: opts.canarytoken.resolverPort } },
    });
    modbusPort = running.modbusPort;
    opcuaPort = running.opcua?.port ?? 0;
    return running;
  };
  const stack: Stack = {
    dir,
    console: console_,
    gateway: await launchGateway(),
    enrollmentFile,
    api: (path: string) => fetch(`${stack.console.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } }),
    hits: async (query = '') => ((await (await stack.api(`/api/v1/hits${query}`)).json()) as { hits: StoredHit[] }).hits,
    metrics: async () => (await stack.api('/metrics')).text(),
    async restartConsole(downMs = 0, whileDown?: () => Promise<void>) {
      await stack.console.stop();
      await whileDown?.();
      await new Promise((r) => setTimeout(r, downMs));
      stack.console = await launchConsole();
    },
    async stopGateway() {
      await stack.gateway.stop();
    },
    async startGateway() {
      stack.gateway = await launchGateway();
    },
    async stop() {
      await stack.gateway.stop().catch(() => {});
      await stack.console.stop();
    },
  };
  return stack;
}
