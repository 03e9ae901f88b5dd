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
