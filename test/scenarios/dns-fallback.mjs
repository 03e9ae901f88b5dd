// Runs inside a private network namespace (`unshare -n`, as root): the console's DNS port is
// blocked and unblocked with nftables while a gateway relays hits. Prints one JSON line of results.
import net from 'node:net';
import { dropRule, flushRules, prepareNamespace, sleep, startPair } from './netns.mjs';

prepareNamespace();
const retryMs = 2_000;
const pair = await startPair('netns-gw', (_enrollment, dnsPort) => ({ dns: { resolver: { host: '127.0.0.1', port: dnsPort }, retryMs, timeoutMs: 500 } }));
const { console: console_, gateway, dnsPort } = pair;
const block = () => {
  dropRule('udp', 'dport', String(dnsPort));
  dropRule('tcp', 'dport', String(dnsPort));
};
const unblock = () => flushRules();

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
dropRule('udp', 'dport', String(dnsPort), 'numgen', 'random', 'mod', '10', '<', '3');
for (let a = 100; a < 120; a++) await read(a);
const lossy = await Promise.all(Array.from({ length: 20 }, (_, i) => arrival(100 + i, 20_000)));
const stored = console_.store.listHits({ limit: 10_000 }).filter((h) => h.address >= 100 && h.address < 120);
result.lossy = { arrived: lossy.filter((r) => r.via).length, stored: stored.length, distinct: new Set(stored.map((h) => h.id)).size, viaDns: stored.filter((h) => h.via === 'dns').length };
// The console has them all; the gateway forgets each once its acknowledgement is in.
for (let waited = 0; gateway.store.outboxDepth() > 0 && waited < 10_000; waited += 50) await sleep(50);
result.outbox = gateway.store.outboxDepth();

await pair.stop();
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
