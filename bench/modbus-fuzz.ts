/**
 * One million hostile Modbus/TCP frames (mostly well-framed requests with random bodies, plus
 * foreign protocol ids, impossible lengths and noise) over many short connections, against the
 * decoy in its own process with every request recorded; an honest client polls every 10 ms
 * throughout. Reports frames/s, crashes (the process exiting), unanswered polls and the decoy's
 * memory. Run: `npm run build && npx vite-node bench/modbus-fuzz.ts [--frames 1000000] [--seed 1]`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fuzzModbus } from '../test/helpers/modbus-fuzz.js';
import { numberArg } from './lib/args.js';

const frames = numberArg('frames', 1_000_000);
const port = 15201;
const child = spawn(process.execPath, [fileURLToPath(new URL('./peers/tripline-server.mjs', import.meta.url)), String(port), 'normal'], { stdio: ['ignore', 'pipe', 'inherit'] });
let exited: number | null = null;
child.once('exit', (code) => (exited = code ?? -1));
await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
const rssMb = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
const rssBefore = rssMb();
const started = Date.now();
const result = await fuzzModbus({ port, frames, seed: numberArg('seed', 1) });
const seconds = (Date.now() - started) / 1000;
const report = {
  ...result,
  seconds: Math.round(seconds),
  framesPerSecond: Math.round(result.frames / seconds),
  crashes: exited === null ? 0 : 1,
  unansweredPolls: result.polls - result.pollsAnswered,
  rssBeforeMb: rssBefore,
  rssAfterMb: exited === null ? rssMb() : null,
};
child.kill('SIGTERM');
console.log(JSON.stringify(report));
