import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRequest } from './decode.js';
import { encodeReadDeviceIdResponse } from './identification.js';

const pdu = (...bytes: number[]) => Buffer.from(bytes);
const u16 = (v: number) => [v >> 8, v & 0xff];

describe('request decoding', () => {
  it('decodes FC 03 with address and quantity', () => {
    expect(decodeRequest(pdu(3, ...u16(100), ...u16(10)))).toEqual({ kind: 'readRegisters', functionCode: 3, table: 'holdingRegisters', address: 100, quantity: 10 });
  });

  it.each([
    ['FC01 quantity 0', [1, 0, 0, 0, 0]],
    ['FC01 quantity 2001', [1, 0, 0, ...u16(2001)]],
    ['FC03 quantity 126', [3, 0, 0, ...u16(126)]],
    ['FC04 quantity 0', [4, 0, 0, 0, 0]],
    ['FC05 value 0x1234', [5, 0, 0, 0x12, 0x34]],
    ['FC15 byte count not ceil(N/8)', [15, 0, 0, ...u16(9), 1, 0xff]],
    ['FC15 quantity 1969', [15, 0, 0, ...u16(1969), 247, ...new Array(247).fill(0)]],
    ['FC16 byte count not 2N', [16, 0, 0, ...u16(2), 3, 0, 1, 0]],
    ['FC16 quantity 124', [16, 0, 0, ...u16(124), 248]],
    ['FC03 truncated', [3, 0, 0, 0]],
    ['FC03 over-long', [3, 0, 0, 0, 1, 0]],
    ['FC16 data shorter than byte count', [16, 0, 0, ...u16(2), 4, 0, 1]],
    ['FC17 with data', [0x11, 0]],
    ['FC43/14 read code 5', [0x2b, 0x0e, 5, 0]],
    ['FC08 without a sub-function', [0x08, 0]],
    ['FC23 truncated', [0x17, 0, 0, 0, 1, 0, 0, 0, 1]],
    ['FC23 read quantity 0', [0x17, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0]],
    ['FC23 read quantity 126', [0x17, 0, 0, ...u16(126), 0, 0, 0, 1, 2, 0, 0]],
    ['FC23 write quantity 122', [0x17, 0, 0, 0, 1, 0, 0, ...u16(122), 244]],
    ['FC23 byte count not 2N', [0x17, 0, 0, 0, 1, 0, 0, 0, 2, 3, 0, 0, 0]],
    ['FC23 data shorter than byte count', [0x17, 0, 0, 0, 1, 0, 0, 0, 2, 4, 0, 0, 0]],
  ])('answers 03 to %s', (_name, bytes) => {
    expect(decodeRequest(pdu(...bytes))).toMatchObject({ kind: 'invalid', exceptionCode: 3 });
  });

  it.each([[0x07], [0x08, 0, 1, 0, 0], [0x14], [0x18], [0x2b, 0x0d, 0, 0], [0x80], [0xff]])('answers 01 to unsupported %j', (...bytes) => {
    expect(decodeRequest(pdu(...bytes))).toMatchObject({ kind: 'invalid', exceptionCode: 1 });
  });

  it('decodes FC 15 bits LSB first', () => {
    expect(decodeRequest(pdu(15, 0, 4, ...u16(10), 2, 0b1100_1101, 0b01))).toMatchObject({
      kind: 'writeMultipleCoils', address: 4, quantity: 10,
      values: [true, false, true, true, false, false, true, true, true, false],
    });
  });

  it('decodes FC 16 values', () => {
    expect(decodeRequest(pdu(16, 0, 1, ...u16(2), 4, 0x12, 0x34, 0xab, 0xcd))).toMatchObject({ kind: 'writeMultipleRegisters', values: [0x1234, 0xabcd] });
  });

  it('never throws on arbitrary PDUs (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 253 }), (bytes) => {
        const r = decodeRequest(Buffer.from(bytes));
        expect(r.kind).toBeTypeOf('string');
      }),
      { numRuns: 20_000 },
    );
  });

  it('decodes every well-formed read for every legal quantity (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 4), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 2000 }), (f, address, quantity) => {
        const limit = f <= 2 ? 2000 : 125;
        const r = decodeRequest(pdu(f, ...u16(address), ...u16(quantity)));
        if (quantity <= limit) expect(r).toMatchObject({ address, quantity });
        else expect(r).toMatchObject({ kind: 'invalid', exceptionCode: 3 });
      }),
    );
  });
});

describe('read device identification replies', () => {
  const objects = new Map([
    [0, Buffer.from('Vendor')],
    [1, Buffer.from('CODE-1')],
    [2, Buffer.from('V1.0')],
    [4, Buffer.from('Product')],
  ]);

  it('streams the basic objects', () => {
    const r = encodeReadDeviceIdResponse(1, 0, 0x81, objects);
    expect(r.ok && [...r.pdu.subarray(0, 7)]).toEqual([0x2b, 0x0e, 1, 0x81, 0, 0, 3]);
    expect(r.ok && r.pdu.subarray(7).toString('latin1')).toBe('\x00\x06Vendor\x01\x06CODE-1\x02\x04V1.0');
  });

  it('restarts a stream at object 0 when the requested object is unknown', () => {
    const r = encodeReadDeviceIdResponse(2, 0x33, 0x82, objects);
    expect(r.ok && r.pdu[6]).toBe(4);
    expect(r.ok && r.pdu[7]).toBe(0);
  });

  it('answers 02 to an individual read of an unknown object', () => {
    expect(encodeReadDeviceIdResponse(4, 9, 0x82, objects)).toMatchObject({ ok: false, exceptionCode: 2 });
    const r = encodeReadDeviceIdResponse(4, 4, 0x82, objects);
    expect(r.ok && r.pdu.subarray(7).toString('latin1')).toBe('\x04\x07Product');
  });

  it('splits a stream that overflows one PDU with more-follows and the next object id', () => {
    const big = new Map([[0, Buffer.alloc(120, 'a')], [1, Buffer.alloc(120, 'b')], [2, Buffer.alloc(10, 'c')]]);
    const first = encodeReadDeviceIdResponse(1, 0, 0x81, big);
    expect(first.ok && [...first.pdu.subarray(4, 7)]).toEqual([0xff, 2, 2]);
    expect(first.ok && first.pdu.length).toBeLessThanOrEqual(253);
    const rest = encodeReadDeviceIdResponse(1, 2, 0x81, big);
    expect(rest.ok && [...rest.pdu.subarray(4, 8)]).toEqual([0, 0, 1, 2]);
  });
});
