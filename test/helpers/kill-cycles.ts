/**
 * Kill test: several Modbus clients write unique values while the gateway process is killed
 * with SIGKILL and restarted, again and again. Every write that was answered must reach the
 * console exactly once. Used by a short test and by bench/kill-cycles.ts (20 cycles).
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './net.js';
import { runCli, startCli, type CliProcess } from './cli.js';
import { modbusClient, type ModbusClient } from './modbus.js';
import type { StoredHit } from '../../src/console/store.js';

const TOKEN = 'kill-cycles-token';

export interface KillReport {
  cycles: number;
  answered: number;
  atConsole: number;
  missing: number;
  duplicated: number;
  unansweredButDelivered: number;
}

export async function killCycles(opts: { cycles: number; clients: number; runMs: [number, number] }): Promise<KillReport> {
  const data = mkdtempSync(join(tmpdir(), 'tripline-kill-'));
  const httpPort = await freePort();
  const modbusPort = await freePort();
  const console_ = startCli(['console', '--data', join(data, 'console'), '--http-host', '127.0.0.1', '--http-port', String(httpPort), '--api-token', TOKEN]);
  const gatewayArgs = ['gateway', '--enrollment', join(data, 'gw.json'), '--modbus-host', '127.0.0.1', '--modbus-port', String(modbusPort), '--no-opcua', '--data', join(data, 'gateway')];
  const api = async (path: string) => (await fetch(`http://127.0.0.1:${httpPort}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  let gateway: CliProcess | undefined;
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`).catch(() => undefined))?.ok || undefined, 10_000, 'console up');
    const enrolled = runCli(['console', 'enroll', '--data', join(data, 'console'), '--name', 'kill', '--out', join(data, 'gw.json')]);
    if (enrolled.status !== 0) throw new Error(enrolled.stderr);

    const answered = new Set<string>();
    const sent = new Set<string>();
    let counter = 0;
    let running = true;
    // Each client writes (address, value) pairs no other write repeats.
    const client = async () => {
      let connection: ModbusClient | undefined;
      while (running) {
        try {
          connection ??= await modbusClient(modbusPort);
          const n = counter++;
          const address = 100 + (n % 1800);
          const value = Math.floor(n / 1800);
          sent.add(`${address}/${value}`);
          await connection.writeRegister(address, value);
          answered.add(`${address}/${value}`);
        } catch {
          connection?.close(() => {});
          connection = undefined;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      connection?.close(() => {});
    };

    // Killed at a random moment once it serves, i.e. in the middle of the clients' traffic.
    const serving = () => waitFor(() => new Promise<true | undefined>((resolve) => {
      const s = net.connect(modbusPort, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(undefined));
    }), 10_000, 'the gateway to serve');
    gateway = startCli(gatewayArgs);
    await serving();
    const clients = Array.from({ length: opts.clients }, () => client());
    for (let cycle = 0; cycle < opts.cycles; cycle++) {
      const [min, max] = opts.runMs;
      await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
      await gateway.kill('SIGKILL');
      gateway = startCli(gatewayArgs);
      await serving();
    }
    await new Promise((r) => setTimeout(r, opts.runMs[0]));
    running = false;
    await Promise.all(clients);

    const hitsFor = async () => ((await api('/api/v1/hits?limit=10000')) as { hits: StoredHit[] }).hits.filter((h) => h.functionCode === 6 && h.outcome === 'ok');
    await waitFor(async () => {
      const keys = new Set((await hitsFor()).map((h) => `${h.address}/${h.values?.[0]}`));
      return [...answered].every((k) => keys.has(k)) || undefined;
    }, 30_000, 'every answered write at the console').catch(() => undefined);
    const hits = await hitsFor();
    const seen = new Map<string, number>();
    for (const h of hits) seen.set(`${h.address}/${h.values?.[0]}`, (seen.get(`${h.address}/${h.values?.[0]}`) ?? 0) + 1);
    return {
      cycles: opts.cycles,
      answered: answered.size,
      atConsole: seen.size,
      missing: [...answered].filter((k) => !seen.has(k)).length,
      duplicated: [...seen.values()].filter((n) => n > 1).length,
      unansweredButDelivered: [...seen.keys()].filter((k) => !answered.has(k) && sent.has(k)).length,
    };
  } finally {
    await gateway?.kill('SIGKILL');
    await console_.kill();
  }
}
