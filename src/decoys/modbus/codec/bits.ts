/** Bit access: FC 01, 02, 05, 15 (§6.1, 6.2, 6.5, 6.11). */
import { COIL_OFF, COIL_ON, ExceptionCode, Limits } from './constants.js';
import { invalid, expectLength } from './validate.js';
import type { DecodeResult } from './request.js';

export function decodeReadBits(pdu: Buffer): DecodeResult {
  const fc = pdu[0] as 0x01 | 0x02;
  const bad = expectLength(pdu, 5);
  if (bad) return bad;
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  if (quantity < 1 || quantity > Limits.readBits) {
    return invalid(fc, ExceptionCode.IllegalDataValue, `quantity ${quantity} outside 1..${Limits.readBits}`);
  }
  return { kind: 'readBits', functionCode: fc, table: fc === 0x01 ? 'coils' : 'discreteInputs', address, quantity };
}

export function decodeWriteSingleCoil(pdu: Buffer): DecodeResult {
  const bad = expectLength(pdu, 5);
  if (bad) return bad;
  const address = pdu.readUInt16BE(1);
  const raw = pdu.readUInt16BE(3);
  if (raw !== COIL_ON && raw !== COIL_OFF) {
    return invalid(0x05, ExceptionCode.IllegalDataValue, `coil value 0x${raw.toString(16).padStart(4, '0')} is neither 0x0000 nor 0xFF00`);
  }
  return { kind: 'writeSingleCoil', functionCode: 0x05, address, value: raw === COIL_ON };
}

export function decodeWriteMultipleCoils(pdu: Buffer): DecodeResult {
  if (pdu.length < 6) return invalid(0x0f, ExceptionCode.IllegalDataValue, `PDU of ${pdu.length} bytes is truncated`);
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  const byteCount = pdu.readUInt8(5);
  if (quantity < 1 || quantity > Limits.writeCoils) {
    return invalid(0x0f, ExceptionCode.IllegalDataValue, `quantity ${quantity} outside 1..${Limits.writeCoils}`);
  }
  if (byteCount !== Math.ceil(quantity / 8)) {
    return invalid(0x0f, ExceptionCode.IllegalDataValue, `byte count ${byteCount} does not match quantity ${quantity}`);
  }
  const bad = expectLength(pdu, 6 + byteCount);
  if (bad) return bad;
  const values = unpackBits(pdu.subarray(6), quantity);
  return { kind: 'writeMultipleCoils', functionCode: 0x0f, address, quantity, values };
}

export function unpackBits(bytes: Uint8Array, quantity: number): boolean[] {
  const out: boolean[] = new Array(quantity);
  for (let i = 0; i < quantity; i++) out[i] = ((bytes[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
  return out;
}

/** Bits packed LSB first, the last byte padded with zeros (§6.1). */
export function packBits(bits: ArrayLike<boolean>): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

export function encodeReadBitsResponse(functionCode: number, bits: ArrayLike<boolean>): Buffer {
  const packed = packBits(bits);
  return Buffer.concat([Buffer.from([functionCode, packed.length]), packed]);
}

export function encodeWriteSingleCoilResponse(address: number, value: boolean): Buffer {
  const out = Buffer.alloc(5);
  out[0] = 0x05;
  out.writeUInt16BE(address, 1);
  out.writeUInt16BE(value ? COIL_ON : COIL_OFF, 3);
  return out;
}

/** FC 15 and 16 echo the starting address and quantity. */
export function encodeWriteMultipleResponse(functionCode: number, address: number, quantity: number): Buffer {
  const out = Buffer.alloc(5);
  out[0] = functionCode;
  out.writeUInt16BE(address, 1);
  out.writeUInt16BE(quantity, 3);
  return out;
}
