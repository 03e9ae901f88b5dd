/** Engineering values ⇄ 16-bit registers, per the point's type, scaling, word order and byte swap. */
import { registerCount } from '../profile/layout.js';
import type { Point } from '../profile/schema.js';

export type PointValue = number | boolean | string;

const swap16 = (w: number) => ((w & 0xff) << 8) | (w >> 8);

function toRaw(point: Point, value: number): number {
  const factor = point.scale?.factor ?? 1;
  const offset = point.scale?.offset ?? 0;
  return (value - offset) / factor;
}

function fromRaw(point: Point, raw: number): number {
  const factor = point.scale?.factor ?? 1;
  const offset = point.scale?.offset ?? 0;
  const v = raw * factor + offset;
  // Scaling by decimal factors leaves float noise (0.1 × 3); round to what the factor can express.
  return point.scale ? Number(v.toPrecision(12)) : v;
}

const clampInt = (v: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(v)));

/** Encodes a non-bool value into the registers it occupies, in wire order. */
export function encodeWords(point: Point, value: PointValue): number[] {
  const n = registerCount(point.type, point.length);
  const buf = Buffer.alloc(n * 2);
  switch (point.type) {
    case 'int16':
      buf.writeInt16BE(clampInt(toRaw(point, Number(value)), -0x8000, 0x7fff));
      break;
    case 'uint16':
      buf.writeUInt16BE(clampInt(toRaw(point, Number(value)), 0, 0xffff));
      break;
    case 'int32':
      buf.writeInt32BE(clampInt(toRaw(point, Number(value)), -0x80000000, 0x7fffffff));
      break;
    case 'uint32':
      buf.writeUInt32BE(clampInt(toRaw(point, Number(value)), 0, 0xffffffff));
      break;
    case 'float32':
      buf.writeFloatBE(toRaw(point, Number(value)));
      break;
    case 'string':
      buf.write(String(value).slice(0, point.length), 'latin1');
      break;
    case 'bool':
      throw new Error('bool points are bits, not words');
  }
  const words: number[] = [];
  for (let i = 0; i < n; i++) words.push(buf.readUInt16BE(i * 2));
  return arrange(point, words);
}

export function decodeWords(point: Point, wire: ArrayLike<number>): PointValue {
  const words = arrange(point, Array.from(wire));
  const buf = Buffer.alloc(words.length * 2);
  words.forEach((w, i) => buf.writeUInt16BE(w & 0xffff, i * 2));
  switch (point.type) {
    case 'int16':
      return fromRaw(point, buf.readInt16BE());
    case 'uint16':
      return fromRaw(point, buf.readUInt16BE());
    case 'int32':
      return fromRaw(point, buf.readInt32BE());
    case 'uint32':
      return fromRaw(point, buf.readUInt32BE());
    case 'float32':
      return fromRaw(point, Number(buf.readFloatBE().toPrecision(7)));
    case 'string':
      return buf.toString('latin1').replace(/\0+$/, '');
    case 'bool':
      throw new Error('bool points are bits, not words');
  }
}

/** Word order and byte swap are their own inverse, so one function maps both directions. */
function arrange(point: Point, words: number[]): number[] {
  const binding = point.modbus;
  let out = words;
  if (binding?.wordOrder === 'little' && point.type !== 'string') out = [...out].reverse();
  if (binding?.byteSwap) out = out.map(swap16);
  return out;
}
