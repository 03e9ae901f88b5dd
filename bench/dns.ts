/**
 * DNS relay benchmarks (run: `npx vite-node bench/dns.ts`; needs Debian unbound).
 *
 *  1. Console DNS ingest: queries/s for data queries (each a sealed hit the console opens,
 *     stores in SQLite and acknowledges), and for apex SOA queries, beside unbound answering a
 *     local-data record on one thread: the peer, run in the same session, same load generator.
 *  2. Hit → stored-at-console latency, p50/p99: Modbus request at the decoy until the hit is in
 *     the console's database, relayed over DNS through unbound, beside the HTTP channel.
 *
 * The load generator runs as a separate process. Results are medians of --runs runs.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { pino } from 'pino';
import { startConsole } from '../src/console/console.js';
import { enrollGateway } from '../src/console/enroll.js';
import { startGateway } from '../src/gateway/gateway.js';
import { loadEnrollment } from '../src/gateway/enrollment.js';
import { loadProfile } from '../src/profile/load.js';
import { chunkCapacity, deriveDnsKeys, encodeName, gatewayLabel, sealChunk } from '../src/relay/dns/envelope.js';
import { packHits } from '../src/relay/dns/message.js';
import { newHitId, type Hit } from '../src/core/hit.js';
import { startUnbound } from '../test/helpers/unbound.js';
import { freePort } from '../test/helpers/net.js';
import { numberArg } from './lib/args.js';

const arg = numberArg;
const RUNS = arg('runs', 5);
const QUERIES = arg('queries', 20_000);
const LATENCY_HITS = arg('hits', 300);
const ZONE = 'canary.example.net';
const log = pino({ level: 'silent' });
const BLASTER = fileURLToPath(new URL('./lib/udp-blaster.mjs', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

function writeQueries(packets: Buffer[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tripline-bench-')), 'queries.bin');
  writeFileSync(file, Buffer.concat(packets.flatMap((p) => [Buffer.from([p.length >> 8, p.length & 0xff]), p])));
  return file;
}

function blast(file: string, port: number, window = 64): Promise<{ answered: number; qps: number }> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [BLASTER, file, String(port), String(window)], { timeout: 300_000 }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout)))),
  );
}

const query = (name: string, type: 'A' | 'SOA', id: number) => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

function sampleHit(i: number): Hit {
  return {
    id: newHitId(), at: new Date().toISOString(), decoy: 'water-lift-station', protocol: 'modbus-tcp', src: { ip: '10.20.30.40', port: 40000 + (i % 20000) }, dstPort: 502,
    unitId: 1, functionCode: 3, address: i % 100, quantity: 10, values: null, outcome: 'ok', exceptionCode: null, points: ['LS.PumpStartLevel'], detail: null, raw: '000100000006010300000010',
  };
}

async function ingestThroughput() {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-bench-'));
  const console_ = await startConsole({ dataDir: join(dir, 'console'), httpHost: '127.0.0.1', httpPort: 0, apiToken: 'b', dnsZones: [ZONE], dnsHost: '127.0.0.1', dnsPort: 0, log });
  const enrollment = enrollGateway({ dataDir: join(dir, 'console'), name: 'bench', out: join(dir, 'gw.json') });
  const keys = deriveDnsKeys(Buffer.from(enrollment.secret, 'base64url'));
  const label = gatewayLabel(enrollment.gatewayId);
  const capacity = chunkCapacity(label, ZONE);

  const unboundDir = mkdtempSync(join(tmpdir(), 'tripline-bench-unbound-'));
  const unboundPort = await freePort();
  writeFileSync(join(unboundDir, 'u.conf'), `server:\n  interface: 127.0.0.1\n  port: ${unboundPort}\n  num-threads: 1\n  do-ip6: no\n  do-daemonize: no\n  use-syslog: no\n  logfile: ""\n  username: ""\n  chroot: ""\n  directory: "${unboundDir}"\n  pidfile: "${unboundDir}/u.pid"\n  module-config: "iterator"\n  local-zone: "bench.example." static\n  local-data: "a.bench.example. 60 IN A 192.0.2.1"\n`);
  const unbound = spawn('unbound', ['-d', '-c', join(unboundDir, 'u.conf')], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1_000));

  const data: number[] = [];
  const batched: number[] = [];
  let batchedQueries = 0;
  let batchedHits = 0;
  const apex: number[] = [];
  const peer: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const packets: Buffer[] = [];
    // One hit per message, as the relay sends a lone hit: every chunk of it is a query.
    for (let i = 0; packets.length < QUERIES; i++) {
      for (const chunk of packHits([sampleHit(i)], capacity).messages[0]!.chunks) {
        const { sealed } = sealChunk(keys, label, ZONE, chunk);
        packets.push(query(encodeName(sealed, label, ZONE), 'A', packets.length & 0xffff));
      }
    }
    data.push((await blast(writeQueries(packets), console_.dnsPort!)).qps);
    // As the relay sends a backlog: 20 hits per message, compressed together.
    const backlog: Buffer[] = [];
    for (let i = 0; backlog.length < QUERIES; i += 20) {
      batchedHits += 20;
      for (const message of packHits(Array.from({ length: 20 }, (_, k) => sampleHit(i + k)), capacity).messages) {
        for (const chunk of message.chunks) {
          const { sealed } = sealChunk(keys, label, ZONE, chunk);
          backlog.push(query(encodeName(sealed, label, ZONE), 'A', backlog.length & 0xffff));
        }
      }
    }
    batchedQueries += backlog.length;
    batched.push((await blast(writeQueries(backlog), console_.dnsPort!)).qps);
    apex.push((await blast(writeQueries(Array.from({ length: QUERIES }, (_, i) => query(ZONE, 'SOA', i & 0xffff))), console_.dnsPort!)).qps);
    peer.push((await blast(writeQueries(Array.from({ length: QUERIES }, (_, i) => query('a.bench.example', 'A', i & 0xffff))), unboundPort)).qps);
  }
  const stored = (console_.store.db.prepare('SELECT count(*) AS n FROM hits').get() as { n: number }).n;
  unbound.kill();
  await console_.stop();
  const batchedQueriesPerHit = batchedQueries / batchedHits;
  return {
    data: median(data), apex: median(apex), peer: median(peer), batched: median(batched), runs: { data, apex, peer, batched },
    hitsStored: stored, queriesPerHit: Math.round((RUNS * QUERIES) / Math.max(1, stored - batchedHits)),
    batchedQueriesPerHit: Number(batchedQueriesPerHit.toFixed(2)), batchedHitsPerSecond: Math.round(median(batched) / batchedQueriesPerHit),
  };
}

async function latency(channel: 'dns' | 'http') {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-bench-'));
  const console_ = await startConsole({ dataDir: join(dir, 'console'), httpHost: '127.0.0.1', httpPort: 0, apiToken: 'b', dnsZones: [ZONE], dnsHost: '127.0.0.1', dnsPort: 0, log });
  enrollGateway({ dataDir: join(dir, 'console'), name: 'bench', out: join(dir, 'gw.json') });
  const unbound = channel === 'dns' ? await startUnbound(ZONE, console_.dnsPort!) : undefined;
  const gateway = await startGateway({
    enrollment: loadEnrollment(join(dir, 'gw.json')),
    profile: loadProfile('water-lift-station'),
    dataDir: join(dir, 'gateway'),
    modbusHost: '127.0.0.1',
    modbusPort: 0,
    log,
    dns: unbound ? { resolver: { host: '127.0.0.1', port: unbound.port } } : undefined,
  });
  const socket = net.connect(gateway.modbusPort, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  for (let i = 0; i < LATENCY_HITS; i++) {
    socket.write(Buffer.from([i >> 8, i & 0xff, 0, 0, 0, 6, 1, 3, 0, i % 100, 0, 1]));
    await new Promise((r) => socket.once('data', r));
    await new Promise((r) => setTimeout(r, 20)); // one probe every 20 ms: latency, not throughput
  }
  socket.destroy();
  const deadline = Date.now() + 30_000;
  while (console_.store.listHits({ limit: 10_000 }).length < LATENCY_HITS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const hits = console_.store.listHits({ limit: 10_000 });
  const ms = hits.map((h) => Date.parse(h.receivedAt) - Date.parse(h.at));
  const vias = new Set(hits.map((h) => h.via));
  await gateway.stop();
  await unbound?.stop();
  await console_.stop();
  return { n: hits.length, p50: percentile(ms, 50), p99: percentile(ms, 99), via: [...vias].join(',') };
}

const throughput = await ingestThroughput();
const dnsLatency = await latency('dns');
const httpLatency = await latency('http');
const result = { date: new Date().toISOString(), runs: RUNS, queriesPerRun: QUERIES, throughput, dnsLatency, httpLatency };
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
process.stdout.write(`
| measure | Tripline | peer | ratio |
| --- | ---: | ---: | ---: |
| DNS data ingest, queries/s (decrypt, reassemble, store, ack; ${throughput.queriesPerHit} queries per hit) | ${throughput.data} | unbound local-data ${throughput.peer} | ${(throughput.data / throughput.peer).toFixed(2)} |
| DNS data ingest, queries/s, backlog of 20 hits per message (${throughput.batchedQueriesPerHit} queries per hit: ${throughput.batchedHitsPerSecond} hits/s) | ${throughput.batched} | unbound local-data ${throughput.peer} | ${(throughput.batched / throughput.peer).toFixed(2)} |
| DNS apex SOA, queries/s | ${throughput.apex} | unbound local-data ${throughput.peer} | ${(throughput.apex / throughput.peer).toFixed(2)} |
| hit → stored p50, ms (DNS via unbound) | ${dnsLatency.p50} | HTTP direct ${httpLatency.p50} | ${(dnsLatency.p50 / Math.max(1, httpLatency.p50)).toFixed(2)} |
| hit → stored p99, ms (DNS via unbound) | ${dnsLatency.p99} | HTTP direct ${httpLatency.p99} | ${(dnsLatency.p99 / Math.max(1, httpLatency.p99)).toFixed(2)} |
`);
process.exit(0);
