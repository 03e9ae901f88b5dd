/**
 * How long an RTU request ADU is (address + PDU + CRC), read from its first bytes. RTU has no
 * length field: the function code, and for some functions a byte count, imply it (Modbus
 * Application Protocol v1.1b3, §6). Functions whose request length the first bytes do not fix
 * (unknown codes, FC 08 Return Query Data with free-length data, MEI types other than 0x0E)
 * are `unknown`: only the CRC, or the line going quiet, can end them.
 */
import { MAX_RTU_ADU_LENGTH } from './rtu-constants.js';

export type RequestLength =
  /** The ADU is this many bytes. */
  | { kind: 'known'; length: number }
  /** Too few bytes yet to tell. */
  | { kind: 'need'; bytes: number }
  | { kind: 'unknown' };

const fixed = (length: number): RequestLength => ({ kind: 'known', length });
const UNKNOWN: RequestLength = { kind: 'unknown' };

/** Address(1) + function(1) + fields + CRC(2), with `countAt` the index of a byte count. */
function counted(bytes: Uint8Array, at: number, countAt: number, overhead: number): RequestLength {
  if (bytes.length - at <= countAt) return { kind: 'need', bytes: countAt + 1 };
  const length = overhead + bytes[at + countAt]!;
  // A byte count that would overflow the 256-byte ADU cannot be a real request's.
  return length <= MAX_RTU_ADU_LENGTH ? fixed(length) : UNKNOWN;
}

/** The length of the request starting at `bytes[at]`; no copies, as the framer asks at every offset. */
export function requestLength(bytes: Uint8Array, at = 0): RequestLength {
  const held = bytes.length - at;
  if (held < 2) return { kind: 'need', bytes: 2 };
  switch (bytes[at + 1]) {
    case 0x01: // read coils
    case 0x02: // read discrete inputs
    case 0x03: // read holding registers
    case 0x04: // read input registers
    case 0x05: // write single coil
    case 0x06: // write single register
      return fixed(8);
    case 0x07: // read exception status
    case 0x0b: // get comm event counter
    case 0x0c: // get comm event log
    case 0x11: // report server id
      return fixed(4);
    case 0x08: {
      // Sub-function 00 (Return Query Data) echoes data of any length; the others carry one word.
      if (held < 4) return { kind: 'need', bytes: 4 };
      return bytes[at + 2] === 0 && bytes[at + 3] === 0 ? UNKNOWN : fixed(8);
    }
    case 0x0f: // write multiple coils: address, quantity, byte count at 6
    case 0x10: // write multiple registers
      return counted(bytes, at, 6, 9);
    case 0x14: // read file record: byte count at 2
    case 0x15: // write file record
      return counted(bytes, at, 2, 5);
    case 0x16: // mask write register
      return fixed(10);
    case 0x17: // read/write multiple registers: byte count at 10
      return counted(bytes, at, 10, 13);
    case 0x18: // read FIFO queue
      return fixed(6);
    case 0x2b: {
      if (held < 3) return { kind: 'need', bytes: 3 };
      // MEI 0x0E Read Device Identification: read code and object id.
      return bytes[at + 2] === 0x0e ? fixed(7) : UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}
