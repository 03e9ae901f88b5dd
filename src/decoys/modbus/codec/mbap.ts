/**
 * MBAP framing for Modbus/TCP (Modbus Messaging on TCP/IP Implementation Guide v1.0b, §3.1.3).
 * Pure: bytes in, frames out. The length field is the only frame boundary; a frame whose length
 * field is out of range cannot be resynchronised, so the deframer reports it and stops.
 */

export const MBAP_HEADER_LENGTH = 7;
/** Length counts the unit id plus the PDU: 1 + (1..253). */
export const MBAP_MIN_LENGTH = 2;
export const MBAP_MAX_LENGTH = 254;

export interface MbapHeader {
  transactionId: number;
  protocolId: number;
  length: number;
  unitId: number;
}

export type MbapEvent =
  | { kind: 'frame'; header: MbapHeader; pdu: Buffer; raw: Buffer }
  /** Length field out of range: the stream can no longer be framed; the caller closes it. */
  | { kind: 'bad-length'; header: MbapHeader; raw: Buffer };

export function readMbapHeader(bytes: Buffer): MbapHeader {
  return {
    transactionId: bytes.readUInt16BE(0),
    protocolId: bytes.readUInt16BE(2),
    length: bytes.readUInt16BE(4),
    unitId: bytes.readUInt8(6),
  };
}

/**
 * Incremental deframer. Retains at most one partial frame (≤ 260 bytes) between pushes, so a
 * peer that trickles bytes or never finishes a frame costs bounded memory.
 */
export class MbapDeframer {
  private pending: Buffer = Buffer.alloc(0);
  private broken = false;

  /** True once a bad length was seen: every later byte is ignored. */
  get closed(): boolean {
    return this.broken;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): MbapEvent[] {
    if (this.broken) return [];
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const events: MbapEvent[] = [];
    let offset = 0;
    while (data.length - offset >= MBAP_HEADER_LENGTH) {
      const header = readMbapHeader(data.subarray(offset));
      if (header.length < MBAP_MIN_LENGTH || header.length > MBAP_MAX_LENGTH) {
        this.broken = true;
        this.pending = Buffer.alloc(0);
        const raw = Buffer.from(data.subarray(offset, offset + MBAP_HEADER_LENGTH + MBAP_MAX_LENGTH));
        events.push({ kind: 'bad-length', header, raw });
        return events;
      }
      const frameLength = 6 + header.length;
      if (data.length - offset < frameLength) break;
      // Copy out: the frame outlives this chunk (it is recorded), the chunk is the socket's.
      const raw = Buffer.from(data.subarray(offset, offset + frameLength));
      events.push({ kind: 'frame', header, pdu: raw.subarray(MBAP_HEADER_LENGTH), raw });
      offset += frameLength;
    }
    this.pending = Buffer.from(data.subarray(offset));
    data = Buffer.alloc(0);
    return events;
  }
}

export function encodeMbap(transactionId: number, unitId: number, pdu: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(MBAP_HEADER_LENGTH + pdu.length);
  out.writeUInt16BE(transactionId & 0xffff, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(pdu.length + 1, 4);
  out.writeUInt8(unitId & 0xff, 6);
  out.set(pdu, MBAP_HEADER_LENGTH);
  return out;
}
