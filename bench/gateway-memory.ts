/**
 * Gateway memory for small boards: RSS of `tripline gateway` with the profile's OPC UA server,
 * without it (--no-opcua), and in --low-memory mode with a tighter V8 heap (NODE_OPTIONS), each
 * idle 5 s after start-up and again after 5,000 Modbus reads (which each become a hit, committed
 * and relayed to a console on loopback). Medians of several rounds.
 * Run: `npm run build && npx vite-node bench/gateway-memory.ts [--rounds 3]`.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg } from './lib/args.js';

const ROUNDS = numberArg('rounds', 3);
const READS = 5_000;
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ZONE = 'canary.example.net';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function startUntil(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TRIPLINE_LOG_LEVEL: 'info', ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out.slice(-500)}`)));
  });
}

/** FC 3 reads of 10 holding registers, 50 in flight at a time on one connection. */
async function modbusReads(port: number, count: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let answered = 0;
  let buffered = Buffer.alloc(0);
  const frame = (id: number) => Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10]);
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 6 && buffered.length >= 6 + buffered.readUInt16BE(4)) {
        buffered = buffered.subarray(6 + buffered.readUInt16BE(4));
        answered++;
        if (answered === count) return resolve();
        if (answered % 50 === 0) socket.write(Buffer.concat(Array.from({ length: Math.min(50, count - answered) }, (_, i) => frame(answered + i))));
      }
    });
    socket.write(Buffer.concat(Array.from({ length: Math.min(50, count) }, (_, i) => frame(i))));
  });
  socket.destroy();
}

const dir = mkdtempSync(join(tmpdir(), 'tripline-memory-'));
const consoleDir = join(dir, 'console');
const dnsPort = await freePort();
const consoleProcess = await startUntil(
  [CLI, 'console', '--data', consoleDir, '--http-host', '127.0.0.1', '--http-port', String(await freePort()), '--dns-host', '127.0.0.1', '--dns-port', String(dnsPort), '--domain', ZONE, '--api-token', 'memory-token-0123456789'],
  /console started/,
);
execFileSync(process.execPath, [CLI, 'console', 'enroll', '--data', consoleDir, '--name', 'memory', '--out', join(dir, 'gw.json'), '--domain', ZONE]);

const variants: { name: string; args: string[]; env?: Record<string, string> }[] = [
  { name: 'OPC UA + Modbus (default)', args: [] },
  { name: '--no-opcua', args: ['--no-opcua'] },
  { name: '--low-memory', args: ['--low-memory'] },
  { name: '--low-memory, NODE_OPTIONS=--max-old-space-size=64 --max-semi-space-size=1', args: ['--low-memory'], env: { NODE_OPTIONS: '--max-old-space-size=64 --max-semi-space-size=1' } },
];
const results = variants.map(() => ({ idle: [] as number[], loaded: [] as number[], peak: [] as number[] }));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, v] of variants.entries()) {
      const modbusPort = await freePort();
      const gateway = await startUntil(
        [CLI, 'gateway', '--enrollment', join(dir, 'gw.json'), '--data', join(dir, `gateway-${round}-${i}`), '--modbus-host', '127.0.0.1', '--modbus-port', String(modbusPort), '--opcua-port', String(await freePort()), '--resolver', `127.0.0.1:${dnsPort}`, ...v.args],
        /gateway started/,
        v.env,
      );
      await sleep(5_000);
      results[i]!.idle.push(status(gateway.pid!, 'VmRSS'));
      await modbusReads(modbusPort, READS);
      await sleep(3_000);
      results[i]!.loaded.push(status(gateway.pid!, 'VmRSS'));
      results[i]!.peak.push(status(gateway.pid!, 'VmHWM'));
      gateway.kill('SIGTERM');
      await new Promise((r) => gateway.once('exit', r));
    }
  }
} finally {
  consoleProcess.kill('SIGTERM');
}
console.log(`\n${ROUNDS} rounds, medians, node ${process.version} on ${process.arch}:\n`);
console.log(`| gateway | RSS idle MiB | RSS after ${READS.toLocaleString('en')} reads MiB | peak RSS MiB |`);
console.log('| --- | ---: | ---: | ---: |');
for (const [i, v] of variants.entries()) {
  const r = results[i]!;
  console.log(`| ${v.name} | ${median(r.idle).toFixed(0)} | ${median(r.loaded).toFixed(0)} | ${median(r.peak).toFixed(0)} |`);
}
