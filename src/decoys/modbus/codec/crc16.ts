/**
 * CRC-16/MODBUS (Modbus over Serial Line v1.02, §6.2.2 and Appendix B): polynomial 0xA001
 * (reflected 0x8005), initial 0xFFFF, sent low byte first. Table-driven: one lookup per byte.
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    table[n] = crc;
  }
  return table;
})();

export function crc16Modbus(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = crcStep(crc, bytes[i]!);
  return crc;
}

/** The CRC after one more byte. */
export function crcStep(crc: number, byte: number): number {
  return (crc >>> 8) ^ TABLE[(crc ^ byte) & 0xff]!;
}

/** True when the last two bytes of `bytes[start, end)` are the CRC of the bytes before them. */
export function crcMatches(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 3) return false;
  const crc = crc16Modbus(bytes, start, end - 2);
  return bytes[end - 2] === (crc & 0xff) && bytes[end - 1] === crc >>> 8;
}
