import { ExceptionCode } from './constants.js';
import type { DecodeFailure } from './request.js';

export function invalid(functionCode: number, exceptionCode: ExceptionCode, reason: string): DecodeFailure {
  return { kind: 'invalid', functionCode, exceptionCode, reason };
}

/** A PDU shorter or longer than its function implies is a bad data value (03). */
export function expectLength(pdu: Buffer, expected: number): DecodeFailure | undefined {
  if (pdu.length === expected) return undefined;
  const what = pdu.length < expected ? 'truncated' : 'over-long';
  return invalid(pdu[0] ?? 0, ExceptionCode.IllegalDataValue, `PDU of ${pdu.length} bytes is ${what} (expected ${expected})`);
}

export function encodeException(functionCode: number, exceptionCode: number): Buffer {
  return Buffer.from([(functionCode | 0x80) & 0xff, exceptionCode]);
}
