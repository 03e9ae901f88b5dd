/**
 * The transport-free RTU pipeline (RTU framer → device → RTU encoder) against arbitrary requests:
 * every reply is one CRC-valid ADU of at most 256 bytes that echoes the request's address and
 * function code; nothing throws.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RtuFramer, crcMatches, encodeRtu } from './codec/index.js';
import { ModbusDevice } from './device.js';
import { TagStore } from '../../tags/tag-store.js';
import { loadProfile } from '../../profile/load.js';

const profile = loadProfile('water-lift-station');
const FUNCTIONS = [1, 2, 3, 4, 5, 6, 8, 15, 16, 17, 23, 43, 0x41, 0x90];

/** Request PDUs with a plausible function code and a random body, framed for unit 1. */
const request = fc
  .record({ fc: fc.constantFrom(...FUNCTIONS), body: fc.uint8Array({ maxLength: 252 }) })
  .map(({ fc: f, body }) => encodeRtu(1, Buffer.from([f, ...body])));

describe('the Modbus RTU pipeline under arbitrary requests (property)', () => {
  it('answers each framed request with one CRC-valid ADU of at most 256 bytes', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 20 }), (requests) => {
        const device = new ModbusDevice(profile, new TagStore(profile));
        const framer = new RtuFramer();
        for (const adu of requests) {
          // One request at a time, as a master waits for each reply; the pause ends the frame.
          const events = [...framer.push(adu), ...framer.silence()];
          for (const event of events) {
            if (event.kind !== 'frame') continue;
            const { reply } = device.execute(event.address, event.pdu);
            if (!reply) continue;
            const out = encodeRtu(event.address, reply);
            expect(out.length).toBeLessThanOrEqual(256);
            expect(crcMatches(out, 0, out.length)).toBe(true);
            expect(out[0]).toBe(1);
            expect(out[1]! & 0x7f).toBe(event.pdu[0]! & 0x7f);
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
