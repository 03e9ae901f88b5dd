/**
 * Syncs the gateway's WAL to disk about once a second from a worker thread with its own
 * connection: a checkpoint's fsync then never stalls the event loop, so decoy replies keep the
 * timing of a real PLC while hits still reach the disk within ~1 s.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { SYNC_INTERVAL_MS, type GatewayStore } from './store.js';

// Runs as CommonJS in the worker; better-sqlite3 is resolved by the parent and passed in.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err && err.message)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

export class WalSyncer {
  private readonly worker: Worker;

  constructor(file: string, intervalMs: number, onError: (message: string) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
    this.worker.on('message', onError);
    this.worker.on('error', (err) => onError(err.message));
    this.worker.unref();
  }

  /** Stops the worker after a last checkpoint by the caller. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Unreferenced while running (it must not keep a stopping process alive); held while we wait.
    this.worker.ref();
    this.worker.postMessage('stop');
    await exited;
  }
}

/**
 * For `normal` durability: syncs the WAL from a worker and turns off SQLite's own automatic
 * checkpoint, which would fsync inside a commit on the event loop. Null for `full`.
 */
export function startWalSync(store: GatewayStore, file: string, onError: (message: string) => void): WalSyncer | null {
  if (store.durability !== 'normal') return null;
  store.db.pragma('wal_autocheckpoint = 0');
  return new WalSyncer(file, SYNC_INTERVAL_MS, onError);
}
