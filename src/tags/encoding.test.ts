import { describe, expect, it } from 'vitest';
import { Point } from '../profile/schema.js';
import { decodeWords, encodeWords } from './encoding.js';

const point = (over: object) =>
  Point.parse({ name: 'P', type: 'float32', modbus: { unit: 1, table: 'holding-register', address: 0 }, ...over });

describe('point encoding', () => {
  it('puts the high word first for big word order (ABCD)', () => {
    expect(encodeWords(point({}), 1.5)).toEqual([0x3fc0, 0x0000]);
  });

  it('swaps words (CDAB) and bytes (BADC) as the binding says, and decodes back', () => {
    const cdab = point({ modbus: { unit: 1, table: 'holding-register', address: 0, wordOrder: 'little' } });
    const badc = point({ modbus: { unit: 1, table: 'holding-register', address: 0, byteSwap: true } });
    expect(encodeWords(cdab, 1.5)).toEqual([0x0000, 0x3fc0]);
    expect(encodeWords(badc, 1.5)).toEqual([0xc03f, 0x0000]);
    expect(decodeWords(cdab, encodeWords(cdab, -12.25))).toBe(-12.25);
    expect(decodeWords(badc, encodeWords(badc, 3.14159))).toBeCloseTo(3.14159, 5);
  });

  it('scales engineering values into raw counts and clamps to the type', () => {
    const p = point({ type: 'int16', scale: { factor: 0.1 } });
    expect(encodeWords(p, -12.3)).toEqual([0xff85]);
    expect(decodeWords(p, [0xff85])).toBe(-12.3);
    expect(encodeWords(point({ type: 'uint16' }), 70000)).toEqual([0xffff]);
  });

  it('stores 32-bit integers and strings', () => {
    expect(encodeWords(point({ type: 'uint32' }), 184223)).toEqual([0x0002, 0xcf9f]);
    const s = point({ type: 'string', length: 5 });
    expect(encodeWords(s, 'AB')).toEqual([0x4142, 0, 0]);
    expect(decodeWords(s, [0x4142, 0x4300, 0])).toBe('ABC');
  });
});
