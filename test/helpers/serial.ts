/** Serial lines for tests: a socat pseudo-terminal pair, and raw bytes through one end. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { waitFor } from './net.js';

export interface PtyPair {
  /** The decoy's end. */
  decoy: string;
  /** The master's end. */
  master: string;
  stop(): Promise<void>;
}

/** Two linked pseudo-terminals, raw and without echo: a null-modem cable in software. */
export async function ptyPair(dir: string): Promise<PtyPair> {
  const decoy = join(dir, 'tty-decoy');
  const master = join(dir, 'tty-master');
  const socat: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${decoy}`, `pty,raw,echo=0,link=${master}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  socat.stderr!.on('data', (c) => (log += c));
  await waitFor(() => {
    if (socat.exitCode !== null) throw new Error(`socat exited ${socat.exitCode}: ${log}`);
    return /starting data transfer loop/.test(log) && existsSync(decoy) && existsSync(master);
  }, 5_000, 'socat pty pair');
  return {
    decoy,
    master,
    stop: () =>
      new Promise<void>((resolve) => {
        if (socat.exitCode !== null || socat.signalCode !== null) return resolve();
        socat.once('exit', () => resolve());
        socat.kill('SIGTERM');
      }),
  };
}

/** Writes bytes as the master and collects what comes back within `waitMs`. */
export async function exchange(path: string, bytes: Buffer, waitMs = 400): Promise<Buffer> {
  const port = new SerialPort({ path, baudRate: 19200, parity: 'even', autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const received: Buffer[] = [];
  port.on('data', (chunk: Buffer) => received.push(chunk));
  await new Promise<void>((resolve, reject) => port.write(bytes, (err) => (err ? reject(err) : resolve())));
  await new Promise((r) => setTimeout(r, waitMs));
  await new Promise<void>((resolve) => port.close(() => resolve()));
  return Buffer.concat(received);
}
