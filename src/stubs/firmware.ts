/**
 * The decoy firmware image format, pure. Realistic in shape (a fixed header with magic, lengths,
 * version strings, build time and CRC32s, then the payload) but no real vendor's: a tool that
 * checks integrity finds it intact, and nothing flashes it.
 *
 *   offset size  field
 *   0      4     magic "PFWI"
 *   4      2     header format version (2)
 *   6      2     header length (128)
 *   8      4     payload length
 *   12     4     CRC-32 (IEEE) of the payload
 *   16     4     build time, Unix seconds
 *   20     4     load address
 *   24     16    firmware version, NUL-padded ASCII
 *   40     24    product code, NUL-padded ASCII
 *   64     16    hardware compatibility, NUL-padded ASCII
 *   80     44    reserved, zero
 *   124    4     CRC-32 of bytes 0–123
 *
 * All integers big-endian. Stamping changes the payload, so both CRCs and the length are
 * recomputed by `sealImage`.
 */
import { crc32 } from 'node:zlib';

export const MAGIC = Buffer.from('PFWI', 'ascii');
export const HEADER_LENGTH = 128;
const FORMAT_VERSION = 2;
/** Images larger than this are not ours (and are not read whole). */
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024;

export interface FirmwareHeader {
  buildTime: number;
  loadAddress: number;
  version: string;
  productCode: string;
  hardware: string;
}

export interface ParsedImage extends FirmwareHeader {
  payload: Buffer;
}

/** Header + payload, lengths and checksums computed. */
export function sealImage(header: FirmwareHeader, payload: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_LENGTH);
  MAGIC.copy(h, 0);
  h.writeUInt16BE(FORMAT_VERSION, 4);
  h.writeUInt16BE(HEADER_LENGTH, 6);
  h.writeUInt32BE(payload.length, 8);
  h.writeUInt32BE(crc32(payload), 12);
  h.writeUInt32BE(header.buildTime >>> 0, 16);
  h.writeUInt32BE(header.loadAddress >>> 0, 20);
  field(header.version, 16).copy(h, 24);
  field(header.productCode, 24).copy(h, 40);
  field(header.hardware, 16).copy(h, 64);
  h.writeUInt32BE(crc32(h.subarray(0, 124)), 124);
  return Buffer.concat([h, payload]);
}

export type Verdict = { ok: true; image: ParsedImage } | { ok: false; problem: string };

/** Checks magic, lengths and both CRCs; never throws. */
export function verifyImage(bytes: Buffer): Verdict {
  if (bytes.length < HEADER_LENGTH) return { ok: false, problem: `${bytes.length} bytes: shorter than the ${HEADER_LENGTH}-byte header` };
  if (!bytes.subarray(0, 4).equals(MAGIC)) return { ok: false, problem: 'no PFWI magic: not a firmware image of this format' };
  if (bytes.readUInt16BE(6) !== HEADER_LENGTH) return { ok: false, problem: `header length ${bytes.readUInt16BE(6)}, expected ${HEADER_LENGTH}` };
  if (crc32(bytes.subarray(0, 124)) !== bytes.readUInt32BE(124)) return { ok: false, problem: 'header CRC-32 does not match' };
  const length = bytes.readUInt32BE(8);
  if (bytes.length !== HEADER_LENGTH + length) return { ok: false, problem: `payload is ${bytes.length - HEADER_LENGTH} bytes, header says ${length}` };
  const payload = bytes.subarray(HEADER_LENGTH);
  if (crc32(payload) !== bytes.readUInt32BE(12)) return { ok: false, problem: 'payload CRC-32 does not match' };
  return {
    ok: true,
    image: {
      buildTime: bytes.readUInt32BE(16),
      loadAddress: bytes.readUInt32BE(20),
      version: text(bytes, 24, 16),
      productCode: text(bytes, 40, 24),
      hardware: text(bytes, 64, 16),
      payload,
    },
  };
}

function field(value: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  Buffer.from(value, 'ascii').subarray(0, size - 1).copy(out);
  return out;
}

function text(bytes: Buffer, offset: number, size: number): string {
  const raw = bytes.subarray(offset, offset + size);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? size : end).toString('latin1');
}
