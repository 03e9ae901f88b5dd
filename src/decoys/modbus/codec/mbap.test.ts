import { describe, expect, it } from 'vitest';
import { MbapDeframer, encodeMbap } from './mbap.js';

const frame = (tid: number, pdu: number[], unit = 1) => encodeMbap(tid, unit, Buffer.from(pdu));

describe('MBAP deframer', () => {
  it('reassembles a frame split into single bytes', () => {
    const d = new MbapDeframer();
    const bytes = frame(7, [3, 0, 0, 0, 10]);
    const events = [...bytes].flatMap((b) => d.push(Buffer.from([b])));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'frame', header: { transactionId: 7, unitId: 1, length: 6 } });
    expect([...events[0]!.raw]).toEqual([...bytes]);
  });

  it('returns several pipelined frames from one segment, in order', () => {
    const d = new MbapDeframer();
    const events = d.push(Buffer.concat([frame(1, [3, 0, 0, 0, 1]), frame(2, [4, 0, 0, 0, 1]), frame(3, [1, 0, 0, 0, 8]).subarray(0, 9)]));
    expect(events.map((e) => e.header.transactionId)).toEqual([1, 2]);
    expect(d.buffered).toBe(9);
    expect(d.push(frame(3, [1, 0, 0, 0, 8]).subarray(9))).toMatchObject([{ kind: 'frame', header: { transactionId: 3 } }]);
  });

  it('uses the length field as the boundary, so extra bytes start the next frame', () => {
    const d = new MbapDeframer();
    // Declared length 6, then the next frame follows immediately.
    const events = d.push(Buffer.concat([frame(1, [3, 0, 0, 0, 1]), frame(2, [3, 0, 5, 0, 1])]));
    expect(events.map((e) => (e.kind === 'frame' ? [...e.pdu] : []))).toEqual([[3, 0, 0, 0, 1], [3, 0, 5, 0, 1]]);
  });

  it.each([0xffff, 255, 1, 0])('reports length %i as unframeable at once and ignores the rest', (length) => {
    const d = new MbapDeframer();
    const header = Buffer.from([0, 1, 0, 0, length >> 8, length & 0xff, 1]);
    const events = d.push(header);
    expect(events).toMatchObject([{ kind: 'bad-length', header: { length } }]);
    expect(d.closed).toBe(true);
    expect(d.push(frame(2, [3, 0, 0, 0, 1]))).toEqual([]);
  });

  it('accepts the extreme valid lengths 2 and 254', () => {
    const d = new MbapDeframer();
    expect(d.push(frame(1, [0x11]))).toMatchObject([{ kind: 'frame', header: { length: 2 } }]);
    expect(d.push(frame(2, [0x10, ...new Array(252).fill(0)]))).toMatchObject([{ kind: 'frame', header: { length: 254 } }]);
  });

  it('never holds more than one partial frame', () => {
    const d = new MbapDeframer();
    for (let i = 0; i < 1000; i++) d.push(Buffer.from([0, 0, 0, 0, 0, 254, 1, 0x10].slice(0, (i % 8) + 1)));
    expect(d.buffered).toBeLessThanOrEqual(260);
  });
});
