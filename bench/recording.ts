/**
 * Hit recording with group commit, in both durability modes (run: `npx vite-node bench/recording.ts`).
 *
 *  1. Throughput: hits/s through GroupCommitRecorder into a real SQLite file, 64 hits arriving
 *     per event-loop turn (as from many connections at once).
 *  2. Added latency: Modbus request → reply round trip on loopback, 4 clients, against the decoy
 *     recording every request, beside the same decoy with a recorder that stores nothing (the
 *     peer): the difference is what durability costs a client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { pino } from 'pino';
import { GatewayStore, type Durability } from '../src/gateway/store.js';
import { startWalSync } from '../src/gateway/wal-syncer.js';
import { GroupCommitRecorder, type HitRecorder } from '../src/gateway/recorder.js';
import { ModbusTcpServer } from '../src/decoys/modbus/tcp-server.js';
import { ModbusDevice } from '../src/decoys/modbus/device.js';
import { TagStore } from '../src/tags/tag-store.js';
import { loadProfile } from '../src/profile/load.js';
import { newHitId, type Hit } from '../src/core/hit.js';
import { numberArg } from './lib/args.js';

const arg = numberArg;
const RUNS = arg('runs', 5);
const HITS = arg('hits', 50_000);
const REQUESTS = arg('requests', 5_000);
const log = pino({ level: 'silent' });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

const hit = (i: number): Hit => ({
  id: newHitId(), at: new Date().toISOString(), decoy: 'water-lift-station', protocol: 'modbus-tcp', src: { ip: '10.0.0.9', port: 40000 + (i % 1000) }, dstPort: 502,
  unitId: 1, functionCode: 3, address: i % 100, quantity: 10, values: null, outcome: 'ok', exceptionCode: null, points: ['LS.PumpStartLevel'], detail: null, raw: '000100000006010300000010',
});

/** A store as the gateway runs it: in `normal` mode with the WAL synced by a worker every second. */
function openStore(durability: Durability): { store: GatewayStore; close(): Promise<void> } {
  const file = join(mkdtempSync(join(tmpdir(), 'tripline-rec-')), 'g.db');
  const store = new GatewayStore(file, durability);
  const syncer = startWalSync(store, file, () => {});
  return { store, close: async () => (await syncer?.stop(), store.close()) };
}

async function throughput(durability: Durability): Promise<number> {
  const opened = openStore(durability);
  const store = opened.store;
  const recorder = new GroupCommitRecorder(store);
  const started = process.hrtime.bigint();
  for (let i = 0; i < HITS; i += 64) {
    const turn: Promise<void>[] = [];
    for (let k = 0; k < 64; k++) turn.push(recorder.record(hit(i + k)));
    await Promise.all(turn);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await opened.close();
  return Math.round(HITS / seconds);
}

class NullRecorder implements HitRecorder {
  record(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }
}

async function roundTrips(recorder: HitRecorder): Promise<number[]> {
  const profile = loadProfile('water-lift-station');
  const server = new ModbusTcpServer('bench', new ModbusDevice(profile, new TagStore(profile)), recorder, log, { host: '127.0.0.1', port: 0 });
  const port = await server.listen();
  const samples: number[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      for (let i = 0; i < REQUESTS / 4; i++) {
        const t = process.hrtime.bigint();
        socket.write(Buffer.from([i >> 8, i & 0xff, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10]));
        await new Promise((r) => socket.once('data', r));
        samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      socket.destroy();
    }),
  );
  await server.close();
  return samples;
}

const result: Record<string, unknown> = { date: new Date().toISOString(), runs: RUNS, hits: HITS, requests: REQUESTS };
for (const durability of ['normal', 'full'] as const) {
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) runs.push(await throughput(durability));
  result[`throughput_${durability}`] = { median: median(runs), runs };
}
for (const durability of ['normal', 'full'] as const) {
  const p50: number[] = [];
  const p99: number[] = [];
  const peer50: number[] = [];
  const peer99: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const opened = openStore(durability);
    const recorded = await roundTrips(new GroupCommitRecorder(opened.store));
    await opened.close();
    const none = await roundTrips(new NullRecorder());
    p50.push(pct(recorded, 50));
    p99.push(pct(recorded, 99));
    peer50.push(pct(none, 50));
    peer99.push(pct(none, 99));
  }
  result[`latency_${durability}`] = { p50: median(p50), p99: median(p99), peerP50: median(peer50), peerP99: median(peer99) };
}
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
const t = (d: string) => result[`throughput_${d}`] as { median: number };
const l = (d: string) => result[`latency_${d}`] as { p50: number; p99: number; peerP50: number; peerP99: number };
const ms = (x: number) => x.toFixed(3);
process.stdout.write(`
| measure | recording | peer (decoy storing nothing) | ratio |
| --- | ---: | ---: | ---: |
| hits/s, --durability normal | ${t('normal').median} | | |
| hits/s, --durability full | ${t('full').median} | | |
| Modbus round trip p50 ms, normal | ${ms(l('normal').p50)} | ${ms(l('normal').peerP50)} | ${(l('normal').p50 / l('normal').peerP50).toFixed(2)} |
| Modbus round trip p99 ms, normal | ${ms(l('normal').p99)} | ${ms(l('normal').peerP99)} | ${(l('normal').p99 / l('normal').peerP99).toFixed(2)} |
| Modbus round trip p50 ms, full | ${ms(l('full').p50)} | ${ms(l('full').peerP50)} | ${(l('full').p50 / l('full').peerP50).toFixed(2)} |
| Modbus round trip p99 ms, full | ${ms(l('full').p99)} | ${ms(l('full').peerP99)} | ${(l('full').p99 / l('full').peerP99).toFixed(2)} |
`);
process.exit(0);
