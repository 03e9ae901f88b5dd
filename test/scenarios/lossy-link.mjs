// Runs inside a private network namespace (`unshare -n`, as root): random loss on every path
// between gateway and console (DNS and HTTP), in both directions, while several sources write to
// the decoy. Usage: node lossy-link.mjs HITS LOSS_PERCENT [SOURCES] [both|dns-only].
// Prints one JSON line: delivery of hit detail, and how soon each hit was counted in its
// incident at the console ("alerted": through the gateway's summaries or the hit itself).
import net from 'node:net';
import { dropRule, prepareNamespace, sleep, startPair } from './netns.mjs';

const [hitsArg = '300', lossArg = '30', sourcesArg = '5', mode = 'both'] = process.argv.slice(2);
const HITS = Number(hitsArg);
const LOSS = Number(lossArg);
const SOURCES = Number(sourcesArg);

prepareNamespace();
const pair = await startPair('lossy-gw', (enrollment, dnsPort) => ({
  // dns-only: as on a site where nothing else leaves, HTTP points at a closed port.
  enrollment: mode === 'dns-only' ? { ...enrollment, consoleUrl: 'http://127.0.0.1:9' } : enrollment,
  dns: { resolver: { host: '127.0.0.1', port: dnsPort }, retryMs: 1_000, timeoutMs: 300 },
}));
const { console: console_, gateway, dnsPort } = pair;
// numgen random mod 100 < LOSS: drop LOSS % of the packets, each direction on its own.
for (const port of [dnsPort, console_.httpPort]) {
  for (const direction of ['dport', 'sport']) {
    for (const proto of ['udp', 'tcp']) dropRule(proto, direction, String(port), 'numgen', 'random', 'mod', '100', '<', String(LOSS));
  }
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

// The console's incident counts, sampled: when did each source's k-th hit become visible?
const counted = new Map(); // src ip -> [{ at, hitCount }]
const sample = () => {
  const now = Date.now();
  for (const i of console_.store.listIncidents(100)) {
    if (i.kind !== 'intrusion') continue;
    const list = counted.get(i.srcIp) ?? counted.set(i.srcIp, []).get(i.srcIp);
    if ((list.at(-1)?.hitCount ?? 0) < i.hitCount) list.push({ at: now, hitCount: i.hitCount });
  }
};
const sampler = setInterval(sample, 50);

const answered = new Map(); // src ip -> [answer times]
for (let n = 0; n < HITS; n++) {
  const source = n % SOURCES;
  await write(source, n);
  const ip = `127.0.0.${2 + source}`;
  (answered.get(ip) ?? answered.set(ip, []).get(ip)).push(Date.now());
  await sleep(5);
}
const started = Date.now();
let stored = [];
while (Date.now() - started < 120_000) {
  stored = console_.store.listHits({ limit: 10_000 }).filter((h) => h.functionCode === 6);
  const exact = console_.store.listIncidents(100).reduce((n, i) => n + (i.kind === 'intrusion' ? i.hitCount : 0), 0) >= HITS;
  if (exact && (stored.length >= HITS || (mode === 'dns-only' && Date.now() - started > 10_000))) break;
  await sleep(100);
}
clearInterval(sampler);
sample();

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? null;
};
const detail = stored.map((h) => Date.parse(h.receivedAt) - Date.parse(h.at));
const alerted = [];
for (const [ip, times] of answered) {
  const samples = counted.get(ip) ?? [];
  times.forEach((t, k) => {
    const seen = samples.find((s) => s.hitCount >= k + 1);
    if (seen) alerted.push(Math.max(0, seen.at - t));
  });
}
const incidents = console_.store.listIncidents(100).filter((i) => i.kind === 'intrusion');
const result = {
  hits: HITS,
  loss: LOSS,
  mode,
  stored: stored.length,
  distinct: new Set(stored.map((h) => h.id)).size,
  via: [...new Set(stored.map((h) => h.via))].sort(),
  p50: percentile(detail, 50),
  p99: percentile(detail, 99),
  alerted: alerted.length,
  alertP50: percentile(alerted, 50),
  alertP99: percentile(alerted, 99),
  incidents: incidents.length,
  incidentHits: incidents.reduce((n, i) => n + i.hitCount, 0),
  dnsQueries: gateway.dnsQueries(),
};
await pair.stop();
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
