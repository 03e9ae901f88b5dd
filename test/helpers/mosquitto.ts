/**
 * A real Mosquitto broker on a loopback port, from a temporary config (persistence on, so a
 * subscriber's session and retained messages survive the restarts a test puts it through).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './net.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export function hasMosquitto(): boolean {
  if (existsSync(MOSQUITTO)) return true;
  console.warn(`SKIP MQTT notifications: ${MOSQUITTO} is not installed (apt-get install mosquitto; .ci/run installs it)`);
  return false;
}

export interface Broker {
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startMosquitto(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-mosquitto-'));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'log_dest stderr', 'log_type error', ''].join('\n'));
  let child: ChildProcess | null = null;
  let stderr = '';
  const broker: Broker = {
    port,
    async start() {
      child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await waitFor(() => new Promise<boolean | undefined>((resolve) => {
        if (child?.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
        const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
        socket.on('error', () => resolve(undefined));
      }), 10_000, 'mosquitto listening');
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      });
    },
  };
  await broker.start();
  return broker;
}
