/**
 * The whole transport-free pipeline (MBAP deframer → device → MBAP encoder) against arbitrary
 * bytes: every frame yields a well-formed reply, a close or nothing; nothing throws; no reply
 * exceeds 260 bytes or carries a length field that disagrees with its size.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MbapDeframer, encodeMbap } from './codec/index.js';
import { ModbusDevice } from './device.js';
import { TagStore } from '../../tags/tag-store.js';
import { loadProfile } from '../../profile/load.js';

const profile = loadProfile('water-lift-station');
const FUNCTIONS = [1, 2, 3, 4, 5, 6, 8, 15, 16, 17, 23, 43, 0x41, 0x90];

/** Feeds a byte stream, cut into the given segments; checks each outcome; returns what happened. */
function pipeline(segments: Buffer[]): { replies: number; closed: boolean } {
  const device = new ModbusDevice(profile, new TagStore(profile));
  const deframer = new MbapDeframer();
  let replies = 0;
  for (const segment of segments) {
    for (const event of deframer.push(segment)) {
      if (event.kind === 'bad-length') return { replies, closed: true };
      if (event.header.protocolId !== 0) continue;
      const execution = device.execute(event.header.unitId, event.pdu);
      if (!execution.reply) continue;
      const adu = encodeMbap(event.header.transactionId, event.header.unitId, execution.reply);
      expect(adu.length).toBeLessThanOrEqual(260);
      expect(adu.readUInt16BE(4)).toBe(adu.length - 6);
      expect(adu.readUInt16BE(0)).toBe(event.header.transactionId);
      expect(adu.readUInt16BE(2)).toBe(0);
      expect(adu[6]).toBe(event.header.unitId);
      // A reply's function code is the request's, or it with the exception bit and a code 1–11.
      const fc = adu[7]!;
      if (fc & 0x80) {
        expect(fc).toBe((event.pdu[0]! | 0x80) & 0xff);
        expect(adu.length).toBe(9);
        expect([1, 2, 3, 4, 10, 11]).toContain(adu[8]);
      } else expect(fc).toBe(event.pdu[0]);
      replies++;
    }
  }
  return { replies, closed: false };
}

/** Frames that look right in the header, with a plausible function code and random body. */
const plausibleFrame = fc
  .record({
    tid: fc.integer({ min: 0, max: 0xffff }),
    unit: fc.constantFrom(0, 1, 2, 255, 7),
    fc: fc.constantFrom(...FUNCTIONS),
    body: fc.uint8Array({ maxLength: 252 }),
  })
  .map(({ tid, unit, fc: f, body }) => encodeMbap(tid, unit, Buffer.concat([Buffer.from([f]), body])));

const cut = (bytes: Buffer, points: number[]) => {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...sorted, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
};

describe('the Modbus pipeline under arbitrary input (property)', () => {
  it('arbitrary bytes, cut anywhere: well-formed replies, a close, or nothing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat(), { maxLength: 20 }), (bytes, points) => {
        pipeline(cut(Buffer.from(bytes), points));
      }),
      { numRuns: 3_000 },
    );
  });

  it('streams of plausible frames with random bodies: every frame answered or ignored, in step', () => {
    fc.assert(
      fc.property(fc.array(plausibleFrame, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 30 }), (frames, points) => {
        const result = pipeline(cut(Buffer.concat(frames), points));
        expect(result.closed).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });
});
