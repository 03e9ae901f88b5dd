/**
 * Footprint: the whole gateway (OPC UA + Modbus decoys, SQLite, relay over DNS and HTTP to a
 * running console) against a bare node-opcua server started the same way (same security
 * policies, one variable per profile point). Start-up is spawn → listening; RSS is read from
 * /proc 2 s after start-up. Medians of several rounds, side by side.
 * Run: `npm run build && npx vite-node bench/opcua-footprint.ts [--rounds 5]`.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg } from './lib/args.js';

const ROUNDS = numberArg('rounds', 5);
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const BARE = fileURLToPath(new URL('./peers/bare-opcua-server.mjs', import.meta.url));
const ZONE = 'canary.example.net';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** Spawns and resolves with the ms until a stdout line matches. */
function startUntil(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve({ child, ms: performance.now() - started });
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out.slice(-500)}`)));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tripline-footprint-'));
const consoleDir = join(dir, 'console');
const { child: consoleProcess } = await startUntil(
  [CLI, 'console', '--data', consoleDir, '--http-host', '127.0.0.1', '--http-port', '18471', '--dns-host', '127.0.0.1', '--dns-port', '18054', '--domain', ZONE, '--api-token', 'footprint-token-0123456789'],
  /listening|started/i,
  { TRIPLINE_LOG_LEVEL: 'info' },
);
execFileSync(process.execPath, [CLI, 'console', 'enroll', '--data', consoleDir, '--name', 'footprint', '--out', join(dir, 'gw.json'), '--domain', ZONE]);

const results = { bare: { ms: [] as number[], rss: [] as number[] }, tripline: { ms: [] as number[], rss: [] as number[] } };
try {
  for (let round = 0; round < ROUNDS; round++) {
    const bare = await startUntil([BARE, String(14900 + round), '43'], /listening/);
    await sleep(2_000);
    results.bare.ms.push(bare.ms);
    results.bare.rss.push(rssMb(bare.child.pid!));
    bare.child.kill('SIGTERM');

    const gateway = await startUntil(
      [CLI, 'gateway', '--enrollment', join(dir, 'gw.json'), '--data', join(dir, `gateway-${round}`), '--modbus-host', '127.0.0.1', '--modbus-port', String(15900 + round), '--opcua-port', String(14950 + round), '--resolver', '127.0.0.1:18054'],
      /gateway started/,
      { TRIPLINE_LOG_LEVEL: 'info' },
    );
    await sleep(2_000);
    results.tripline.ms.push(gateway.ms);
    results.tripline.rss.push(rssMb(gateway.child.pid!));
    gateway.child.kill('SIGTERM');
    await sleep(500);
  }
} finally {
  consoleProcess.kill('SIGTERM');
}
const row = (name: string, r: { ms: number[]; rss: number[] }) => `| ${name} | ${median(r.ms).toFixed(0)} | ${median(r.rss).toFixed(1)} |`;
console.log(`\n${ROUNDS} rounds, medians:\n`);
console.log('| process | start-up ms | RSS MiB |');
console.log('| --- | ---: | ---: |');
console.log(row('bare node-opcua server (43 variables)', results.bare));
console.log(row('Tripline gateway: OPC UA + Modbus + SQLite + DNS/HTTP relay', results.tripline));
console.log(`\nRSS ratio ${(median(results.tripline.rss) / median(results.bare.rss)).toFixed(2)}, start-up ratio ${(median(results.tripline.ms) / median(results.bare.ms)).toFixed(2)}`);
console.log(JSON.stringify(results));
