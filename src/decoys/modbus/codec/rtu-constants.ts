/** Modbus over Serial Line Specification and Implementation Guide v1.02. */

/** §2.5.1.1: address(1) + PDU(≤253) + CRC(2). */
export const MAX_RTU_ADU_LENGTH = 256;
/** Address, function code and CRC: the shortest frame. */
export const MIN_RTU_ADU_LENGTH = 4;
/** §2.2: address 0 is a broadcast; 1–247 are slaves; 248–255 are reserved. */
export const BROADCAST_ADDRESS = 0;
export const MAX_SLAVE_ADDRESS = 247;

export type Parity = 'none' | 'even' | 'odd';

/**
 * §2.5.1.1: frames are separated by at least 3.5 character times of silence. Above 19200 baud
 * the spec fixes it at 1.75 ms, since the timer interrupt load would otherwise be too high.
 */
export function interFrameGapMs(baudRate: number, parity: Parity, stopBits: 1 | 2): number {
  if (baudRate > 19200) return 1.75;
  return (3.5 * characterBits(parity, stopBits) * 1000) / baudRate;
}

/** §2.5.1: start bit, 8 data bits, parity bit when used, 1 or 2 stop bits. */
export function characterBits(parity: Parity, stopBits: 1 | 2): number {
  return 1 + 8 + (parity === 'none' ? 0 : 1) + stopBits;
}
