// Runs inside a private network namespace (`unshare -n`, as root): random loss on the DNS path
// in both directions (queries to the console's port, answers from it) while several sources
// touch the decoy. Usage: node lossy-link.mjs HITS LOSS_PERCENT [SOURCES]. Prints one JSON line.
import net from 'node:net';
import { dropRule, prepareNamespace, sleep, startPair } from './netns.mjs';

const [hitsArg = '300', lossArg = '30', sourcesArg = '5'] = process.argv.slice(2);
const HITS = Number(hitsArg);
const LOSS = Number(lossArg);
const SOURCES = Number(sourcesArg);

prepareNamespace();
const pair = await startPair('lossy-gw', (enrollment, dnsPort) => ({
  // DNS only, as on a site where nothing else leaves: HTTP points at a closed port.
  enrollment: { ...enrollment, consoleUrl: 'http://127.0.0.1:9' },
  dns: { resolver: { host: '127.0.0.1', port: dnsPort }, retryMs: 1_000, timeoutMs: 300 },
}));
const { console: console_, gateway, dnsPort } = pair;
// numgen random mod 100 < LOSS: drop LOSS % of the packets, each direction on its own.
for (const direction of ['dport', 'sport']) {
  for (const proto of ['udp', 'tcp']) dropRule(proto, direction, String(dnsPort), 'numgen', 'random', 'mod', '100', '<', String(LOSS));
}

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
await pair.stop();
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
