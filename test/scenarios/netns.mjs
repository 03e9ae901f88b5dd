// Shared by the scenario scripts that run under `unshare -n` (as root): loopback up, an nftables
// input chain to add drop rules to, and a console with DNS plus an enrolled gateway.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startConsole } from '../../dist/console/console.js';
import { enrollGateway } from '../../dist/console/enroll.js';
import { startGateway } from '../../dist/gateway/gateway.js';
import { loadEnrollment } from '../../dist/gateway/enrollment.js';
import { loadProfile } from '../../dist/profile/load.js';

export const ZONE = 'canary.example.net';
export const sh = (...args) => execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = pino({ level: 'silent' });

/** Loopback up and an empty `inet t in` input chain. */
export function prepareNamespace() {
  sh('ip', 'link', 'set', 'lo', 'up');
  sh('nft', 'add', 'table', 'inet', 't');
  sh('nft', 'add', 'chain', 'inet', 't', 'in', '{ type filter hook input priority 0 ; }');
}

/** Adds `inet t in <rule…> drop`. */
export const dropRule = (...rule) => sh('nft', 'add', 'rule', 'inet', 't', 'in', ...rule, 'drop');
export const flushRules = () => sh('nft', 'flush', 'chain', 'inet', 't', 'in');

/**
 * A console serving the zone on a loopback DNS port and a gateway relaying to it over DNS.
 * `gateway(enrollment, dnsPort)` returns extra gateway options (DNS timing, enrollment overrides).
 */
export async function startPair(name, gateway) {
  const dir = mkdtempSync(join(tmpdir(), `tripline-${name}-`));
  const console_ = await startConsole({ dataDir: join(dir, 'console'), httpHost: '127.0.0.1', httpPort: 0, apiToken: 't', dnsZones: [ZONE], dnsHost: '127.0.0.1', dnsPort: 0, log });
  enrollGateway({ dataDir: join(dir, 'console'), name, out: join(dir, 'gw.json') });
  const enrollment = loadEnrollment(join(dir, 'gw.json'));
  const running = await startGateway({
    enrollment,
    profile: loadProfile('water-lift-station'),
    dataDir: join(dir, 'gateway'),
    modbusHost: '127.0.0.1',
    modbusPort: 0,
    log,
    relay: { backoff: { initialMs: 100, maxMs: 1_000 } },
    ...gateway(enrollment, console_.dnsPort),
  });
  return {
    console: console_,
    gateway: running,
    dnsPort: console_.dnsPort,
    async stop() {
      await running.stop();
      await console_.stop();
    },
  };
}
