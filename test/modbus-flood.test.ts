/**
 * A connection flood: 1,100 silent sockets and 200 that sent half an MBAP header, from 260
 * source addresses, against the decoy's 32 slots. A new client must still be answered within
 * 1 s, and the decoy's memory must stay bounded.
 */
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { startDecoy } from './helpers/decoy.js';

function openSocket(port: number, localAddress: string, send?: Buffer): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
      if (send) socket.write(send);
      resolve(socket);
    });
    socket.on('error', () => resolve(null));
  });
}

function readOnce(port: number, localAddress: string): Promise<{ reply: Buffer; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => socket.write(Buffer.from('000100000006010300000001', 'hex')));
    socket.once('data', (reply) => {
      socket.destroy();
      resolve({ reply, ms: Date.now() - started });
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed without a reply')));
  });
}

describe('a connection flood', () => {
  it('never keeps a new client from being answered within 1 s, with memory bounded', async () => {
    const decoy = await startDecoy('water-lift-station');
    const sockets: (net.Socket | null)[] = [];
    try {
      global.gc?.();
      const before = process.memoryUsage();
      const source = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
      for (let i = 0; i < 1_100; i++) sockets.push(await openSocket(decoy.port, source(i % 260)));
      for (let i = 0; i < 200; i++) sockets.push(await openSocket(decoy.port, source(i % 260), Buffer.from('0001000000', 'hex')));
      // The slot-holders have now held their slots for a while, as an attacker's would.
      await new Promise((r) => setTimeout(r, 2_200));
      const { reply, ms } = await readOnce(decoy.port, '127.0.0.1');
      expect(reply.toString('hex')).toBe('00010000000501030200b4');
      expect(ms).toBeLessThan(1_000);
      // Another new client, a moment later, from another address: served too.
      await new Promise((r) => setTimeout(r, 2_100));
      expect((await readOnce(decoy.port, '127.0.9.9')).ms).toBeLessThan(1_000);
      const after = process.memoryUsage();
      const growthMb = (after.heapUsed - before.heapUsed) / 2 ** 20;
      console.log(`flood of 1,300 sockets: new clients answered; heap growth ${growthMb.toFixed(1)} MiB (test and decoy in one process), ${decoy.server.connections} decoy connections open, ${decoy.server.evictions} evicted`);
      expect(decoy.server.connections).toBeLessThanOrEqual(32);
      expect(growthMb).toBeLessThan(64);
    } finally {
      for (const s of sockets) s?.destroy();
      await decoy.stop();
    }
  }, 60_000);
});

describe('socket-level fuzzing', () => {
  it('survives 20,000 hostile frames over many connections while an honest client gets every answer', async () => {
    const { fuzzModbus } = await import('./helpers/modbus-fuzz.js');
    const decoy = await startDecoy('water-lift-station');
    try {
      const result = await fuzzModbus({ port: decoy.port, frames: 20_000, seed: 7 });
      console.log(`modbus fuzz: ${JSON.stringify(result)}`);
      expect(result.frames).toBe(20_000);
      expect(result.polls).toBeGreaterThan(10);
      expect(result.pollsAnswered).toBe(result.polls);
      // Still serving, and every hostile frame that framed as one was recorded.
      expect((await readOnce(decoy.port, '127.0.0.1')).reply.readUInt16BE(0)).toBe(1);
      expect(decoy.store.outboxDepth()).toBeGreaterThan(10_000);
    } finally {
      await decoy.stop();
    }
  }, 120_000);
});
