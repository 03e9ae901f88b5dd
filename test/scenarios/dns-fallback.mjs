// Runs inside a private network namespace (`unshare -n`, as root): the console's DNS port is
// blocked and unblocked with nftables while a gateway relays hits. Prints one JSON line of results.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { pino } from 'pino';
import { startConsole } from '../../dist/console/console.js';
import { enrollGateway } from '../../dist/console/enroll.js';
import { startGateway } from '../../dist/gateway/gateway.js';
import { loadEnrollment } from '../../dist/gateway/enrollment.js';
import { loadProfile } from '../../dist/profile/load.js';

const sh = (cmd, ...args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = pino({ level: 'silent' });

sh('ip', 'link', 'set', 'lo', 'up');
sh('nft', 'add', 'table', 'inet', 't');
sh('nft', 'add', 'chain', 'inet', 't', 'in', '{ type filter hook input priority 0 ; }');

const dir = mkdtempSync(join(tmpdir(), 'tripline-netns-'));
const zone = 'canary.example.net';
const console_ = await startConsole({ dataDir: join(dir, 'console'), httpHost: '127.0.0.1', httpPort: 0, apiToken: 't', dnsZones: [zone], dnsHost: '127.0.0.1', dnsPort: 0, log });
const dnsPort = console_.dnsPort;
enrollGateway({ dataDir: join(dir, 'console'), name: 'netns-gw', out: join(dir, 'gw.json') });
const block = () => {
  sh('nft', 'add', 'rule', 'inet', 't', 'in', 'udp', 'dport', String(dnsPort), 'drop');
  sh('nft', 'add', 'rule', 'inet', 't', 'in', 'tcp', 'dport', String(dnsPort), 'drop');
};
const unblock = () => sh('nft', 'flush', 'chain', 'inet', 't', 'in');

const retryMs = 2_000;
const gateway = await startGateway({
  enrollment: loadEnrollment(join(dir, 'gw.json')),
  profile: loadProfile('water-lift-station'),
  dataDir: join(dir, 'gateway'),
  modbusHost: '127.0.0.1',
  modbusPort: 0,
  log,
  relay: { backoff: { initialMs: 100, maxMs: 1_000 } },
  dns: { resolver: { host: '127.0.0.1', port: dnsPort }, retryMs, timeoutMs: 500 },
});

/** One FC3 read of one register at `address`; resolves when the decoy has answered. */
function read(address) {
  return new Promise((resolve, reject) => {
    const s = net.connect(gateway.modbusPort, '127.0.0.1', () => s.write(Buffer.from([0, 1, 0, 0, 0, 6, 1, 3, address >> 8, address & 0xff, 0, 1])));
    s.once('data', () => (s.destroy(), resolve()));
    s.once('error', reject);
  });
}
async function arrival(address, timeoutMs) {
  const started = Date.now();
  for (;;) {
    const hit = console_.store.listHits({ limit: 10_000 }).find((h) => h.address === address);
    if (hit) return { via: hit.via, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) return { via: null, ms: Date.now() - started };
    await sleep(20);
  }
}

const result = {};
// 1. DNS works.
await read(1);
result.open = await arrival(1, 5_000);
// 2. DNS dropped (UDP and TCP): HTTP carries the hit.
block();
await read(2);
result.blocked = await arrival(2, 10_000);
// 3. Rule removed: after the retry interval DNS is used again. (A loaded machine may time out a
// query now and then and stay on HTTP one more interval: allow a few intervals.)
unblock();
for (let attempt = 0; attempt < 5; attempt++) {
  await sleep(retryMs + 200);
  await read(3 + attempt * 1000);
  result.restored = await arrival(3 + attempt * 1000, 5_000);
  result.restored.attempts = attempt + 1;
  if (result.restored.via === 'dns') break;
}
// 4. 30% of DNS packets dropped at random: every hit arrives, once.
sh('nft', 'add', 'rule', 'inet', 't', 'in', 'udp', 'dport', String(dnsPort), 'numgen', 'random', 'mod', '10', '<', '3', 'drop');
for (let a = 100; a < 120; a++) await read(a);
const lossy = await Promise.all(Array.from({ length: 20 }, (_, i) => arrival(100 + i, 20_000)));
const stored = console_.store.listHits({ limit: 10_000 }).filter((h) => h.address >= 100 && h.address < 120);
result.lossy = { arrived: lossy.filter((r) => r.via).length, stored: stored.length, distinct: new Set(stored.map((h) => h.id)).size, viaDns: stored.filter((h) => h.via === 'dns').length };
// The console has them all; the gateway forgets each once its acknowledgement is in.
for (let waited = 0; gateway.store.outboxDepth() > 0 && waited < 10_000; waited += 50) await sleep(50);
result.outbox = gateway.store.outboxDepth();

await gateway.stop();
await console_.stop();
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
