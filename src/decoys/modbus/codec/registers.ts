/** Register access: FC 03, 04, 06, 16 (§6.3, 6.4, 6.6, 6.12). */
import { ExceptionCode, Limits } from './constants.js';
import { invalid, expectLength } from './validate.js';
import type { DecodeResult } from './request.js';

export function decodeReadRegisters(pdu: Buffer): DecodeResult {
  const fc = pdu[0] as 0x03 | 0x04;
  const bad = expectLength(pdu, 5);
  if (bad) return bad;
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  if (quantity < 1 || quantity > Limits.readRegisters) {
    return invalid(fc, ExceptionCode.IllegalDataValue, `quantity ${quantity} outside 1..${Limits.readRegisters}`);
  }
  const table = fc === 0x03 ? 'holdingRegisters' : 'inputRegisters';
  return { kind: 'readRegisters', functionCode: fc, table, address, quantity };
}

export function decodeWriteSingleRegister(pdu: Buffer): DecodeResult {
  const bad = expectLength(pdu, 5);
  if (bad) return bad;
  return { kind: 'writeSingleRegister', functionCode: 0x06, address: pdu.readUInt16BE(1), value: pdu.readUInt16BE(3) };
}

export function decodeWriteMultipleRegisters(pdu: Buffer): DecodeResult {
  if (pdu.length < 6) return invalid(0x10, ExceptionCode.IllegalDataValue, `PDU of ${pdu.length} bytes is truncated`);
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  const byteCount = pdu.readUInt8(5);
  if (quantity < 1 || quantity > Limits.writeRegisters) {
    return invalid(0x10, ExceptionCode.IllegalDataValue, `quantity ${quantity} outside 1..${Limits.writeRegisters}`);
  }
  if (byteCount !== quantity * 2) {
    return invalid(0x10, ExceptionCode.IllegalDataValue, `byte count ${byteCount} does not match quantity ${quantity}`);
  }
  const bad = expectLength(pdu, 6 + byteCount);
  if (bad) return bad;
  const values: number[] = new Array(quantity);
  for (let i = 0; i < quantity; i++) values[i] = pdu.readUInt16BE(6 + 2 * i);
  return { kind: 'writeMultipleRegisters', functionCode: 0x10, address, quantity, values };
}

export function encodeReadRegistersResponse(functionCode: number, words: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(2 + words.length * 2);
  out[0] = functionCode;
  out[1] = words.length * 2;
  for (let i = 0; i < words.length; i++) out.writeUInt16BE(words[i]! & 0xffff, 2 + 2 * i);
  return out;
}

export function encodeWriteSingleRegisterResponse(address: number, value: number): Buffer {
  const out = Buffer.alloc(5);
  out[0] = 0x06;
  out.writeUInt16BE(address, 1);
  out.writeUInt16BE(value, 3);
  return out;
}
