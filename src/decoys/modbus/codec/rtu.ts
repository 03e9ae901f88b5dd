/**
 * RTU framing (Modbus over Serial Line v1.02, §2.5.1). Pure: bytes in, frames and garbage out;
 * the adapter owns the port and the clock, and says when the line went quiet.
 *
 * The length each function code implies, checked by the CRC, is the primary frame boundary:
 * pseudo-terminals and USB adapters deliver bytes in bursts of their own choosing, so the
 * 3.5-character silence the spec relies on cannot be trusted on its own. Silence is the
 * secondary cue: it ends frames whose length only the CRC can settle, and gives up on bytes
 * that never became a frame. Junk in front of a frame is skipped by looking for the next offset
 * where a frame with a good CRC starts. At most one ADU (256 bytes) is held between pushes.
 */
import { crc16Modbus, crcMatches, crcStep } from './crc16.js';
import { requestLength } from './rtu-length.js';
import { MAX_RTU_ADU_LENGTH, MAX_SLAVE_ADDRESS, MIN_RTU_ADU_LENGTH } from './rtu-constants.js';

export type RtuEvent =
  | { kind: 'frame'; address: number; pdu: Buffer; raw: Buffer }
  /** Bytes that are not a frame: a bad CRC, a frame cut short, line noise. */
  | { kind: 'garbage'; raw: Buffer; reason: string };

/** What the bytes at an offset are. */
type Candidate =
  | { kind: 'frame'; length: number }
  /** The function code fixes the length, and the CRC there is wrong. */
  | { kind: 'bad-crc'; length: number }
  | { kind: 'incomplete'; length: number | null }
  /** No length rule and no CRC match among the bytes held. */
  | { kind: 'unmatched' };

export class RtuFramer {
  private pending: Buffer = Buffer.alloc(0);
  /**
   * How many of the held bytes the search for a frame behind the head has covered: a candidate
   * that ended within them was found bad, so only candidates the newest bytes complete need a
   * CRC. Keeps noise trickling in byte by byte linear instead of quadratic. Reset whenever the
   * head moves.
   */
  private searched = 0;

  /** Bytes held back waiting for the rest of a frame (never more than one ADU). */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): RtuEvent[] {
    if (chunk.length === 0) return [];
    this.pending = Buffer.concat([this.pending, chunk]);
    return this.drain(false);
  }

  /** The line has been quiet for the inter-frame gap: what is held ends here, unless cut short. */
  silence(): RtuEvent[] {
    return this.drain(true);
  }

  /**
   * The line has been quiet far longer than any adapter pauses inside a frame: whatever is held
   * (a frame cut short) is garbage.
   */
  expire(): RtuEvent[] {
    const events = this.drain(true);
    if (this.pending.length > 0) {
      const head = this.candidateAt(this.pending, 0);
      const expected = head.kind === 'incomplete' && head.length !== null ? ` of ${head.length}` : '';
      events.push(this.garbage(this.pending.length, `incomplete frame: ${this.pending.length}${expected} bytes, then silence`));
    }
    return events;
  }

  private drain(quiet: boolean): RtuEvent[] {
    const events: RtuEvent[] = [];
    while (this.pending.length > 0) {
      const buf = this.pending;
      if (buf[0]! > MAX_SLAVE_ADDRESS) {
        // Reserved addresses (§2.2) start no frame: line noise, or the tail of one we lost.
        // A run of them is one piece of garbage, held until something else follows or the line
        // goes quiet, so noise trickling in byte by byte does not become a hit per byte.
        let end = 1;
        while (end < buf.length && end < MAX_RTU_ADU_LENGTH && buf[end]! > MAX_SLAVE_ADDRESS) end++;
        if (end === buf.length && !quiet && end < MAX_RTU_ADU_LENGTH) break;
        events.push(this.garbage(end, `${end} byte${end === 1 ? '' : 's'} that cannot start a frame (address above ${MAX_SLAVE_ADDRESS})`));
        continue;
      }
      const head = this.candidateAt(buf, 0);
      if (head.kind === 'frame') {
        const raw = Buffer.from(buf.subarray(0, head.length));
        this.consume(head.length);
        events.push({ kind: 'frame', address: raw[0]!, pdu: raw.subarray(1, raw.length - 2), raw });
        continue;
      }
      // A good frame further on means the bytes before it were junk (or a frame cut short).
      // For a head that is merely incomplete this is decided only once the line goes quiet:
      // until then the head may still complete.
      const settled = head.kind !== 'incomplete' || quiet;
      const next = settled ? this.nextFrameStart(buf) : -1;
      if (next > 0) {
        events.push(this.garbage(next, describe(buf, head)));
        continue;
      }
      const full = buf.length >= MAX_RTU_ADU_LENGTH;
      if (head.kind === 'incomplete' && !full) break;
      if (quiet || full) {
        events.push(this.garbage(Math.min(buf.length, MAX_RTU_ADU_LENGTH), full && head.kind !== 'bad-crc' ? `no frame in ${MAX_RTU_ADU_LENGTH} bytes` : describe(buf, head)));
        continue;
      }
      break;
    }
    // Own the bytes kept: the chunk they came from belongs to the port.
    if (this.pending.length > 0 && this.pending.byteOffset !== 0) this.pending = Buffer.from(this.pending);
    return events;
  }

  private candidateAt(buf: Buffer, at: number): Candidate {
    const held = buf.length - at;
    const rule = requestLength(buf, at);
    if (rule.kind === 'need') return { kind: 'incomplete', length: null };
    if (rule.kind === 'known') {
      if (held < rule.length) return { kind: 'incomplete', length: rule.length };
      return crcMatches(buf, at, at + rule.length) ? { kind: 'frame', length: rule.length } : { kind: 'bad-crc', length: rule.length };
    }
    // The shortest length whose last two bytes are the CRC of the rest: a false match is a
    // 1 in 65,536 chance per length tried, and a frame this ambiguous is rare to begin with.
    const length = shortestCrcMatch(buf, at, Math.min(held, MAX_RTU_ADU_LENGTH));
    return length > 0 ? { kind: 'frame', length } : { kind: 'unmatched' };
  }

  /**
   * The first offset after 0, within one ADU, where a whole frame with a good CRC and a length
   * its function code fixes starts; -1 if none. Unknown-length frames are not looked for here:
   * scanning every length at every offset would cost a CRC per byte pair for junk.
   */
  private nextFrameStart(buf: Buffer): number {
    const last = Math.min(buf.length, MAX_RTU_ADU_LENGTH);
    const searched = this.searched;
    this.searched = buf.length;
    for (let at = 1; at < last; at++) {
      if (buf[at]! > MAX_SLAVE_ADDRESS) continue;
      const rule = requestLength(buf, at);
      if (rule.kind !== 'known') continue;
      const end = at + rule.length;
      if (end > searched && end <= buf.length && crcMatches(buf, at, end)) return at;
    }
    return -1;
  }

  private consume(length: number): void {
    this.pending = this.pending.subarray(length);
    this.searched = 0;
  }

  private garbage(length: number, reason: string): RtuEvent {
    const raw = Buffer.from(this.pending.subarray(0, length));
    this.consume(length);
    return { kind: 'garbage', raw, reason };
  }
}

/** One running CRC over the bytes, compared at each length: linear in the bytes held. */
function shortestCrcMatch(buf: Buffer, at: number, maxLength: number): number {
  let crc = crcStep(0xffff, buf[at]!);
  for (let length = MIN_RTU_ADU_LENGTH; length <= maxLength; length++) {
    crc = crcStep(crc, buf[at + length - 3]!);
    if (buf[at + length - 2] === (crc & 0xff) && buf[at + length - 1] === crc >>> 8) return length;
  }
  return 0;
}

function describe(buf: Buffer, head: Candidate): string {
  const fc = buf.length > 1 ? `function ${buf[1]}` : 'no function code';
  switch (head.kind) {
    case 'bad-crc':
      return `bad CRC (${fc}, ${head.length}-byte frame)`;
    case 'unmatched':
      return `bad CRC (${fc}, no length matches a CRC)`;
    case 'incomplete':
      return `incomplete frame (${fc}, ${head.length === null ? 'header' : `${head.length} bytes expected`}) followed by another frame`;
    case 'frame':
      return 'frame';
  }
}

/** An RTU ADU: address, PDU, CRC low byte first. */
export function encodeRtu(address: number, pdu: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(pdu.length + 3);
  out[0] = address & 0xff;
  out.set(pdu, 1);
  const crc = crc16Modbus(out, 0, pdu.length + 1);
  out[pdu.length + 1] = crc & 0xff;
  out[pdu.length + 2] = crc >>> 8;
  return out;
}
