import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayStore } from './store.js';
import { GroupCommitRecorder } from './recorder.js';
import { newHitId, type Hit } from '../core/hit.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'tripline-store-')), 'gateway.db');
const hit = (address: number, body = 0): Hit => ({
  id: newHitId(), at: new Date().toISOString(), decoy: 'd', protocol: 'modbus-tcp', src: { ip: '10.0.0.1', port: 1 }, dstPort: 502, unitId: 1,
  functionCode: 16, address, quantity: body, values: Array.from({ length: body }, () => 0xffff), outcome: 'ok', exceptionCode: null, points: [], detail: null, raw: null,
});

describe('gateway store', () => {
  it('syncs every commit in full durability and within the sync interval in normal', () => {
    const full = new GatewayStore(file(), 'full');
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2);
    full.close();
    const normal = new GatewayStore(file(), 'normal');
    expect(normal.db.pragma('synchronous', { simple: true })).toBe(1);
    normal.close();
  });

  it('commits hits from one turn together and releases every caller after the commit', async () => {
    const store = new GatewayStore(file());
    const recorder = new GroupCommitRecorder(store);
    const commits: number[] = [];
    recorder.onRecorded((hits) => commits.push(hits.length));
    await Promise.all(Array.from({ length: 50 }, (_, i) => recorder.record(hit(i))));
    expect(commits).toEqual([50]);
    expect(store.outboxDepth()).toBe(50);
    store.close();
  });

  it('bounds a batch by bytes, but always hands out at least one entry', () => {
    const store = new GatewayStore(file());
    store.recordMany([hit(1, 2000), hit(2, 2000), hit(3)]);
    const one = store.pending(200, 1_000);
    expect(one.map((e) => e.hit.address)).toEqual([1]);
    expect(store.pending(200).map((e) => e.hit.address)).toEqual([1, 2, 3]);
    store.acknowledge([one[0]!.hit.id]);
    expect(store.oldestPendingAt()).not.toBeNull();
    expect(store.outboxDepth()).toBe(2);
    store.close();
  });
});

describe('bounded outbox', () => {
  const read = (ip: string, address: number): Hit => ({ ...hit(address), functionCode: 3, quantity: 1, values: null, src: { ip, port: 1 } });

  it('folds repeated low-value hits into counts once full, never writes or a source\'s first hit', () => {
    const store = new GatewayStore(file(), 'normal', 5);
    store.recordMany(Array.from({ length: 5 }, (_, i) => read('10.0.0.1', i)));
    expect(store.outboxDepth()).toBe(5);
    // Full: more reads from the same source are counted; a write and a new source are queued.
    expect(store.recordMany([read('10.0.0.1', 9), read('10.0.0.1', 10), hit(11, 1), read('10.0.0.2', 12), read('10.0.0.2', 13)])).toBe(3);
    expect(store.outboxDepth()).toBe(7);
    expect(store.foldedTotal()).toBe(3);
    expect(store.folds()).toEqual([
      expect.objectContaining({ srcIp: '10.0.0.1', functionCode: 3, outcome: 'ok', count: 2 }),
      expect.objectContaining({ srcIp: '10.0.0.2', functionCode: 3, outcome: 'ok', count: 1 }),
    ]);
    // Room again once the console acknowledges.
    store.acknowledge(store.pending(10).map((e) => e.hit.id));
    expect(store.outboxDepth()).toBe(0);
    expect(store.recordMany([read('10.0.0.1', 20)])).toBe(0);
    store.close();
  });
});

describe('WAL sync off the event loop', () => {
  it('checkpoints the WAL from a worker in normal durability, with automatic checkpoints off', async () => {
    const { startWalSync } = await import('./wal-syncer.js');
    const path = file();
    const store = new GatewayStore(path, 'normal');
    const errors: string[] = [];
    const syncer = startWalSync(store, path, (m) => errors.push(m));
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    store.recordMany(Array.from({ length: 200 }, (_, i) => hit(i, 50)));
    const { statSync } = await import('node:fs');
    const walBefore = statSync(`${path}-wal`).size;
    expect(walBefore).toBeGreaterThan(0);
    // Within ~1 s the worker's checkpoint has copied the WAL into the database file.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(statSync(path).size).toBeGreaterThan(100_000);
    await syncer!.stop();
    store.close();
    expect(errors).toEqual([]);
    expect(startWalSync(new GatewayStore(file(), 'full'), 'x', () => {})).toBeNull();
  });
});
