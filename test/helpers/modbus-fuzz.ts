/**
 * A socket-level Modbus/TCP fuzzer: hostile frames over many short connections while one honest
 * client polls; every poll must be answered. Deterministic per seed.
 */
import net from 'node:net';
import { prng } from './dns-mutations.js';

const FUNCTIONS = [1, 2, 3, 4, 5, 6, 8, 15, 16, 17, 23, 43, 0, 0x41, 0x81, 0xff];

/** One hostile chunk of bytes; `closes` when it should make the decoy hang up. */
export function hostileChunk(rand: () => number): { bytes: Buffer; closes: boolean } {
  const r = rand();
  const byte = () => Math.floor(rand() * 256);
  const body = (n: number) => Buffer.from(Array.from({ length: n }, byte));
  const mbap = (protocol: number, length: number, rest: Buffer) => {
    const h = Buffer.alloc(6);
    h.writeUInt16BE(Math.floor(rand() * 65536), 0);
    h.writeUInt16BE(protocol, 2);
    h.writeUInt16BE(length, 4);
    return Buffer.concat([h, rest]);
  };
  if (r < 0.7) {
    // A well-framed request: plausible function code, random body (bad quantities, counts, sizes).
    const pdu = Buffer.concat([Buffer.from([FUNCTIONS[Math.floor(rand() * FUNCTIONS.length)]!]), body(Math.floor(rand() * (rand() < 0.8 ? 12 : 252)))]);
    return { bytes: mbap(0, pdu.length + 1, Buffer.concat([Buffer.from([Math.floor(rand() * 4) === 0 ? byte() : 1]), pdu])), closes: false };
  }
  if (r < 0.8) {
    // Protocol id not Modbus: discarded without reply.
    return { bytes: mbap(1 + Math.floor(rand() * 65535), 6, body(6)), closes: false };
  }
  if (r < 0.9) {
    // Length outside 2..254: the decoy must close.
    const length = rand() < 0.5 ? Math.floor(rand() * 2) : 255 + Math.floor(rand() * 65281);
    return { bytes: mbap(0, length, body(Math.floor(rand() * 64))), closes: true };
  }
  // Noise: it frames as whatever it frames as; the connection may be closed.
  return { bytes: body(1 + Math.floor(rand() * 300)), closes: true };
}

export interface FuzzResult {
  frames: number;
  connections: number;
  polls: number;
  pollsAnswered: number;
  slowestPollMs: number;
}

/** Sends `frames` hostile chunks over `workers` parallel connections, and polls throughout. */
export async function fuzzModbus(opts: { port: number; frames: number; workers?: number; seed?: number; pollEveryMs?: number }): Promise<FuzzResult> {
  const rand = prng(opts.seed ?? 1);
  let sent = 0;
  let connections = 0;
  const worker = async (localAddress: string) => {
    while (sent < opts.frames) {
      connections++;
      await new Promise<void>((resolve) => {
        const socket = net.connect({ port: opts.port, host: '127.0.0.1', localAddress });
        socket.on('data', () => {}); // replies are read and dropped, so the decoy never stalls on us
        socket.on('error', () => {});
        socket.on('close', () => resolve());
        socket.on('connect', () => {
          // Up to 200 chunks per connection, then hang up (or be hung up on).
          const chunks: Buffer[] = [];
          for (let i = 0; i < 200 && sent < opts.frames; i++) {
            const chunk = hostileChunk(rand);
            chunks.push(chunk.bytes);
            sent++;
            if (chunk.closes) break;
          }
          socket.write(Buffer.concat(chunks), () => setTimeout(() => socket.destroy(), 20));
        });
      });
    }
  };
  let polls = 0;
  let answered = 0;
  let slowest = 0;
  let done = false;
  const poller = (async () => {
    const socket = net.connect({ port: opts.port, host: '127.0.0.1', localAddress: '127.0.0.250' });
    await new Promise((r) => socket.once('connect', r));
    let waiting: ((b: Buffer) => void) | null = null;
    socket.on('data', (d) => waiting?.(d));
    while (!done) {
      const tid = polls++ & 0xffff;
      const started = Date.now();
      const reply = await new Promise<Buffer | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), 2_000);
        waiting = (d) => {
          clearTimeout(timer);
          resolve(d);
        };
        socket.write(Buffer.from([tid >> 8, tid & 0xff, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1]));
      });
      if (reply && reply.readUInt16BE(0) === tid && reply[7] === 3) answered++;
      slowest = Math.max(slowest, Date.now() - started);
      await new Promise((r) => setTimeout(r, opts.pollEveryMs ?? 10));
    }
    socket.destroy();
  })();
  await Promise.all(Array.from({ length: opts.workers ?? 4 }, (_, i) => worker(`127.0.1.${1 + i}`)));
  done = true;
  await poller;
  return { frames: sent, connections, polls, pollsAnswered: answered, slowestPollMs: slowest };
}
