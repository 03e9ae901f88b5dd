/** Register access: FC 03, 04, 06, 16, 23 (§6.3, 6.4, 6.6, 6.12, 6.17). */
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

/**
 * FC 23: quantities (03) are checked, read part first, then the byte count against the write
 * quantity, then the length; addresses are the device's business (02).
 */
export function decodeReadWriteRegisters(pdu: Buffer): DecodeResult {
  if (pdu.length < 10) return invalid(0x17, ExceptionCode.IllegalDataValue, `PDU of ${pdu.length} bytes is truncated`);
  const readAddress = pdu.readUInt16BE(1);
  const readQuantity = pdu.readUInt16BE(3);
  const writeAddress = pdu.readUInt16BE(5);
  const writeQuantity = pdu.readUInt16BE(7);
  const byteCount = pdu.readUInt8(9);
  if (readQuantity < 1 || readQuantity > Limits.readWriteRead) {
    return invalid(0x17, ExceptionCode.IllegalDataValue, `read quantity ${readQuantity} outside 1..${Limits.readWriteRead}`);
  }
  if (writeQuantity < 1 || writeQuantity > Limits.readWriteWrite) {
    return invalid(0x17, ExceptionCode.IllegalDataValue, `write quantity ${writeQuantity} outside 1..${Limits.readWriteWrite}`);
  }
  if (byteCount !== writeQuantity * 2) {
    return invalid(0x17, ExceptionCode.IllegalDataValue, `byte count ${byteCount} does not match write quantity ${writeQuantity}`);
  }
  const bad = expectLength(pdu, 10 + byteCount);
  if (bad) return bad;
  const values: number[] = new Array(writeQuantity);
  for (let i = 0; i < writeQuantity; i++) values[i] = pdu.readUInt16BE(10 + 2 * i);
  return { kind: 'readWriteRegisters', functionCode: 0x17, readAddress, readQuantity, writeAddress, writeQuantity, values };
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
