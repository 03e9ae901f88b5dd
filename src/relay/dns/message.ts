/** Hits ⇄ the compressed payload a DNS message carries, split into chunks. Pure. */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { Hit } from '../../core/hit.js';
import { MAX_CHUNKS, MSG_ID_BYTES, type Chunk } from './envelope.js';

/** Inflated payloads larger than this are refused (a compression bomb from a stolen key). */
export const MAX_PAYLOAD_BYTES = 512 * 1024;

export interface OutgoingMessage {
  msgId: Buffer;
  hits: Hit[];
  chunks: Chunk[];
}

/**
 * Packs hits into messages of at most MAX_CHUNKS chunks each. Halves a group that does not fit;
 * a single hit too large even alone is returned in `oversize` (it must go another way).
 */
export function packHits(hits: readonly Hit[], chunkData: number): { messages: OutgoingMessage[]; oversize: Hit[] } {
  const messages: OutgoingMessage[] = [];
  const oversize: Hit[] = [];
  const pack = (group: readonly Hit[]) => {
    if (group.length === 0) return;
    const payload = deflateRawSync(JSON.stringify(group));
    const count = Math.max(1, Math.ceil(payload.length / chunkData));
    if (count > MAX_CHUNKS) {
      if (group.length === 1) oversize.push(group[0]!);
      else {
        const half = Math.ceil(group.length / 2);
        pack(group.slice(0, half));
        pack(group.slice(half));
      }
      return;
    }
    const msgId = randomBytes(MSG_ID_BYTES);
    const chunks: Chunk[] = [];
    for (let i = 0; i < count; i++) chunks.push({ msgId, index: i, count, data: payload.subarray(i * chunkData, (i + 1) * chunkData) });
    messages.push({ msgId, hits: [...group], chunks });
  };
  pack(hits);
  return { messages, oversize };
}

/** Any other JSON value (a heartbeat) as one message; throws if it needs more than MAX_CHUNKS. */
export function packValue(value: unknown, chunkData: number): OutgoingMessage {
  const payload = deflateRawSync(JSON.stringify(value));
  const count = Math.max(1, Math.ceil(payload.length / chunkData));
  if (count > MAX_CHUNKS) throw new RangeError(`payload of ${payload.length} bytes needs ${count} queries`);
  const msgId = randomBytes(MSG_ID_BYTES);
  const chunks: Chunk[] = [];
  for (let i = 0; i < count; i++) chunks.push({ msgId, index: i, count, data: payload.subarray(i * chunkData, (i + 1) * chunkData) });
  return { msgId, hits: [], chunks };
}

/** A reassembled payload: an array of hits, or an object (a heartbeat); undefined if neither. */
export function unpackPayload(payload: Buffer): unknown {
  try {
    return JSON.parse(inflateRawSync(payload, { maxOutputLength: MAX_PAYLOAD_BYTES }).toString('utf8'));
  } catch {
    return undefined;
  }
}
