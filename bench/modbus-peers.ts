/**
 * Tripline's Modbus decoy against two peers, side by side in one run: a small libmodbus server
 * (C, Debian libmodbus-dev: the practical upper bound) and Debian's python3-pymodbus server.
 * Tripline records every request as in production (committed to SQLite before the reply), in
 * both durability modes; the peers record nothing. One client for all: a C load generator on
 * libmodbus, THREADS connections reading 10 holding registers in a closed loop. Rounds rotate the
 * order so drift on a shared machine hits every server alike; medians are reported.
 *
 * Needs gcc, pkg-config, libmodbus-dev, python3-pymodbus (installs them if missing, as root).
 * Run: `npm run build && npx vite-node bench/modbus-peers.ts [--rounds 5] [--seconds 3] [--threads 4]`.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg } from './lib/args.js';

const ROUNDS = numberArg('rounds', 5);
const SECONDS = numberArg('seconds', 3);
const THREADS = numberArg('threads', 4);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function ensureTools(): void {
  const missing = [
    ['gcc', 'gcc'],
    ['pkg-config', 'pkg-config'],
  ].filter(([tool]) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0).map(([, pkg]) => pkg!);
  if (spawnSync('pkg-config', ['--exists', 'libmodbus']).status !== 0) missing.push('libmodbus-dev');
  if (spawnSync('/usr/bin/python3', ['-c', 'import pymodbus']).status !== 0) missing.push('python3-pymodbus');
  if (missing.length === 0) return;
  console.error(`installing ${missing.join(' ')}`);
  execFileSync('sh', ['-c', `apt-get update -qq && apt-get install -y -qq ${missing.join(' ')}`], { stdio: 'inherit' });
}

function compile(source: string, out: string, extra: string[] = []): string {
  const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'libmodbus'], { encoding: 'utf8' }).trim().split(/\s+/);
  execFileSync('gcc', ['-O2', ...extra, '-o', out, here(source), ...flags]);
  return out;
}

interface Server {
  name: string;
  command: string[];
  port: number;
  child?: ChildProcess;
}

async function start(server: Server): Promise<void> {
  const [cmd, ...args] = server.command;
  server.child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${server.name} did not start`)), 15_000);
    server.child!.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.child!.once('exit', (code) => reject(new Error(`${server.name} exited with ${code}`)));
  });
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  ensureTools();
  const bin = mkdtempSync(join(tmpdir(), 'tripline-peers-'));
  const load = compile('./peers/modbus-load.c', join(bin, 'modbus-load'), ['-pthread']);
  const libmodbus = compile('./peers/libmodbus-server.c', join(bin, 'libmodbus-server'));
  const servers: Server[] = [
    { name: 'libmodbus', command: [libmodbus, '15101'], port: 15101 },
    { name: 'pymodbus', command: ['/usr/bin/python3', here('./peers/pymodbus-server.py'), '15102'], port: 15102 },
    { name: 'tripline normal', command: [process.execPath, here('./peers/tripline-server.mjs'), '15103', 'normal'], port: 15103 },
    { name: 'tripline full', command: [process.execPath, here('./peers/tripline-server.mjs'), '15104', 'full'], port: 15104 },
  ];
  for (const s of servers) await start(s);
  const samples = new Map<string, Sample[]>(servers.map((s) => [s.name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
      for (const s of order) {
        const out = execFileSync(load, [String(s.port), String(THREADS), String(SECONDS)], { encoding: 'utf8' });
        const sample = JSON.parse(out) as Sample;
        samples.get(s.name)!.push(sample);
        console.error(`round ${round + 1} ${s.name}: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50.toFixed(3)} ms, p99 ${sample.p99.toFixed(3)} ms, errors ${sample.errors}`);
      }
    }
  } finally {
    for (const s of servers) s.child?.kill('SIGTERM');
  }
  const m = (name: string, key: keyof Sample) => median(samples.get(name)!.map((x) => x[key]));
  const lib = m('libmodbus', 'rps');
  const py = m('pymodbus', 'rps');
  console.log(`\n${ROUNDS} rounds × ${SECONDS} s, ${THREADS} connections, FC 3 × 10 registers, medians:\n`);
  console.log('| server | req/s | p50 ms | p99 ms | × libmodbus | × pymodbus | errors |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of servers) {
    const rps = m(s.name, 'rps');
    const errors = samples.get(s.name)!.reduce((n, x) => n + x.errors, 0);
    console.log(`| ${s.name} | ${Math.round(rps).toLocaleString('en')} | ${m(s.name, 'p50').toFixed(3)} | ${m(s.name, 'p99').toFixed(3)} | ${(rps / lib).toFixed(2)} | ${(rps / py).toFixed(2)} | ${errors} |`);
  }
}

await main();
