// Runs inside a private network namespace (`unshare -n`, as root): random loss on the DNS path
// in both directions (queries to the console's port, answers from it) while several sources
// touch the decoy. Usage: node lossy-link.mjs HITS LOSS_PERCENT [SOURCES]. Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { pino } from 'pino';
import { startConsole } from '../../dist/console/console.js';
import { enrollGateway } from '../../dist/console/enroll.js';
import { startGateway } from '../../dist/gateway/gateway.js';
import { loadEnrollment } from '../../dist/gateway/enrollment.js';
import { loadProfile } from '../../dist/profile/load.js';

const [hitsArg = '300', lossArg = '30', sourcesArg = '5'] = process.argv.slice(2);
const HITS = Number(hitsArg);
const LOSS = Number(lossArg);
const SOURCES = Number(sourcesArg);
const sh = (...args) => execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = pino({ level: 'silent' });

sh('ip', 'link', 'set', 'lo', 'up');
const dir = mkdtempSync(join(tmpdir(), 'tripline-lossy-'));
const zone = 'canary.example.net';
const console_ = await startConsole({ dataDir: join(dir, 'console'), httpHost: '127.0.0.1', httpPort: 0, apiToken: 't', dnsZones: [zone], dnsHost: '127.0.0.1', dnsPort: 0, log });
const port = String(console_.dnsPort);
enrollGateway({ dataDir: join(dir, 'console'), name: 'lossy-gw', out: join(dir, 'gw.json') });
// numgen random mod 100 < LOSS: drop LOSS % of the packets, each direction on its own.
sh('nft', 'add', 'table', 'inet', 't');
sh('nft', 'add', 'chain', 'inet', 't', 'in', '{ type filter hook input priority 0 ; }');
for (const dir_ of ['dport', 'sport']) {
  for (const proto of ['udp', 'tcp']) sh('nft', 'add', 'rule', 'inet', 't', 'in', proto, dir_, port, 'numgen', 'random', 'mod', '100', '<', String(LOSS), 'drop');
}

const gateway = await startGateway({
  // DNS only, as on a site where nothing else leaves: HTTP points at a closed port.
  enrollment: { ...loadEnrollment(join(dir, 'gw.json')), consoleUrl: 'http://127.0.0.1:9' },
  profile: loadProfile('water-lift-station'),
  dataDir: join(dir, 'gateway'),
  modbusHost: '127.0.0.1',
  modbusPort: 0,
  log,
  relay: { backoff: { initialMs: 100, maxMs: 1_000 } },
  dns: { resolver: { host: '127.0.0.1', port: console_.dnsPort }, retryMs: 1_000, timeoutMs: 300 },
});
const recordedAt = new Map();

/** One FC6 write from 127.0.0.<source>; the value identifies the hit. */
function write(source, n) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port: gateway.modbusPort, host: '127.0.0.1', localAddress: `127.0.0.${2 + source}` }, () =>
      s.write(Buffer.from([0, 1, 0, 0, 0, 6, 1, 6, 0, 100 + source, n >> 8, n & 0xff])),
    );
    s.once('data', () => (s.destroy(), resolve()));
    s.once('error', reject);
  });
}

for (let n = 0; n < HITS; n++) {
  await write(n % SOURCES, n);
  recordedAt.set(`${100 + (n % SOURCES)}/${n}`, Date.now());
  await sleep(5);
}
const started = Date.now();
let stored = [];
while (Date.now() - started < 120_000) {
  stored = console_.store.listHits({ limit: 10_000 }).filter((h) => h.functionCode === 6);
  if (stored.length >= HITS) break;
  await sleep(100);
}
const latencies = stored.map((h) => Date.parse(h.receivedAt) - Date.parse(h.at)).sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? null;
const incidents = console_.store.listIncidents(100).filter((i) => i.kind === 'intrusion');
const result = {
  hits: HITS,
  loss: LOSS,
  stored: stored.length,
  distinct: new Set(stored.map((h) => h.id)).size,
  via: [...new Set(stored.map((h) => h.via))],
  p50: pct(50),
  p99: pct(99),
  incidents: incidents.length,
  incidentHits: incidents.reduce((n, i) => n + i.hitCount, 0),
};
await gateway.stop();
await console_.stop();
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
