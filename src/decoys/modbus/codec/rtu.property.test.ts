/**
 * The RTU framer against arbitrary bytes cut arbitrarily, with the line going quiet at random:
 * it never throws, never holds more than one ADU, never loses or invents a byte, and recovers
 * every well-formed frame from a stream with noise between them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RtuFramer, encodeRtu } from './rtu.js';

type Step = { bytes: Uint8Array } | { quiet: 'silence' | 'expire' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ bytes })) },
  { weight: 1, arbitrary: fc.constantFrom<'silence' | 'expire'>('silence', 'expire').map((quiet) => ({ quiet })) },
);

/** Requests whose length the function code fixes, with a good CRC. */
const request = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 247 }), fc.constantFrom(1, 2, 3, 4, 5, 6), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([a, f, d]) => encodeRtu(a, Buffer.from([f, ...d]))),
  fc.tuple(fc.integer({ min: 0, max: 247 }), fc.uint8Array({ maxLength: 246 })).map(([a, d]) => encodeRtu(a, Buffer.from([0x10, 0, 0, 0, d.length >> 1, d.length, ...d]))),
  fc.tuple(fc.integer({ min: 0, max: 247 }), fc.integer({ min: 0, max: 255 })).map(([a, o]) => encodeRtu(a, Buffer.from([0x2b, 0x0e, 1, o]))),
  fc.integer({ min: 0, max: 247 }).map((a) => encodeRtu(a, Buffer.from([0x11]))),
);
/** Noise that cannot start a frame: reserved addresses 248–255. */
const noise = fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => Buffer.from(b.map((x) => 248 + (x & 7))));

describe('RTU framer, property-based', () => {
  it('never throws, holds at most 256 bytes and accounts for every byte', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const f = new RtuFramer();
        let bytesIn = 0;
        let bytesOut = 0;
        for (const s of steps) {
          const events = 'bytes' in s ? (bytesIn += s.bytes.length, f.push(s.bytes)) : s.quiet === 'silence' ? f.silence() : f.expire();
          for (const e of events) {
            expect(e.raw.length).toBeGreaterThan(0);
            expect(e.raw.length).toBeLessThanOrEqual(256);
            bytesOut += e.raw.length;
          }
          expect(f.buffered).toBeLessThanOrEqual(256);
          expect(bytesOut + f.buffered).toBe(bytesIn);
        }
        expect(f.expire().reduce((n, e) => n + e.raw.length, bytesOut)).toBe(bytesIn);
        expect(f.buffered).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('recovers every frame, in order, from a stream with noise between frames, however it is cut', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, request), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (parts, cuts) => {
        const stream = Buffer.concat(parts.flatMap(([n, r]) => [n, r]));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const f = new RtuFramer();
        const frames: string[] = [];
        let from = 0;
        for (const p of [...points, stream.length]) {
          for (const e of f.push(stream.subarray(from, p))) if (e.kind === 'frame') frames.push(e.raw.toString('hex'));
          from = p;
        }
        for (const e of f.silence()) if (e.kind === 'frame') frames.push(e.raw.toString('hex'));
        expect(frames).toEqual(parts.map(([, r]) => r.toString('hex')));
      }),
      { numRuns: 300 },
    );
  });
});
