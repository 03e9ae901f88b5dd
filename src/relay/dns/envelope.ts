/**
 * Sealing relay data into DNS query names. Each query carries one chunk:
 *
 *   sealed  = nonce(12) ‖ AES-256-GCM(msgId(6) ‖ index(1) ‖ count(1) ‖ data) ‖ tag(16)
 *   name    = base32(sealed) in labels of ≤ 63, the rightmost prefixed with the number of data
 *             labels, then the gateway label, then the zone:
 *             <b32>.<b32>.<n><b32>.<gateway label>.<zone>
 *
 * The random nonce makes every name unique (no resolver cache answers it) and everything else is
 * encrypted, so an observer of the site's DNS sees random labels. The associated data binds a
 * chunk to its gateway and zone. The label count lets the console tell a QNAME-minimising
 * resolver's partial names (fewer labels than announced) from forgeries. Pure: no I/O.
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { base32Decode, base32Encode } from './base32.js';

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const HEADER_BYTES = 8; // msgId(6) index(1) count(1)
export const MSG_ID_BYTES = 6;
export const OVERHEAD_BYTES = NONCE_BYTES + HEADER_BYTES + TAG_BYTES;
/** Names may be at most 253 characters in presentation form (RFC 1035 §2.3.4, without the root dot). */
export const MAX_NAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;
/** A message spans at most this many queries; the console refuses more. */
export const MAX_CHUNKS = 32;

export interface DnsKeys {
  aead: KeyObject;
  ack: KeyObject;
}

/** Key objects, derived once per gateway: cheaper per query than raw key buffers. */
export function deriveDnsKeys(secret: Buffer): DnsKeys {
  const derive = (info: string) => createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'tripline', info, 32)));
  return { aead: derive('dns-aead-v1'), ack: derive('dns-ack-v1') };
}

/** The gateway's label in the zone: the random part of its id, nothing that names Tripline. */
export function gatewayLabel(gatewayId: string): string {
  return gatewayId.replace(/^gw-/, '').toLowerCase();
}

export function gatewayIdFromLabel(label: string): string {
  return `gw-${label.toLowerCase()}`;
}

export interface Chunk {
  msgId: Buffer;
  index: number;
  count: number;
  data: Buffer;
}

const aad = (gwLabel: string, zone: string) => Buffer.from(`tripline-dns-v1|${gwLabel.toLowerCase()}|${zone.toLowerCase()}`);

export function sealChunk(keys: DnsKeys, gwLabel: string, zone: string, chunk: Chunk, nonce = randomBytes(NONCE_BYTES)): { sealed: Buffer; nonce: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', keys.aead, nonce);
  cipher.setAAD(aad(gwLabel, zone));
  const plain = Buffer.concat([chunk.msgId, Buffer.from([chunk.index, chunk.count]), chunk.data]);
  const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { sealed, nonce };
}

/** Undefined when the bytes were not sealed with this key for this gateway and zone. */
export function openChunk(keys: DnsKeys, gwLabel: string, zone: string, sealed: Buffer): (Chunk & { nonce: Buffer }) | undefined {
  if (sealed.length < OVERHEAD_BYTES) return undefined;
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.aead, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(gwLabel, zone));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    const index = plain[MSG_ID_BYTES]!;
    const count = plain[MSG_ID_BYTES + 1]!;
    if (count < 1 || count > MAX_CHUNKS || index >= count) return undefined;
    return { nonce: Buffer.from(nonce), msgId: plain.subarray(0, MSG_ID_BYTES), index, count, data: plain.subarray(HEADER_BYTES) };
  } catch {
    return undefined;
  }
}

/** Builds the query name for sealed bytes; throws if it would exceed DNS limits. */
export function encodeName(sealed: Buffer, gwLabel: string, zone: string): string {
  const text = base32Encode(sealed).toLowerCase();
  const labels: string[] = [];
  let rest = text;
  // The rightmost data label carries a one-digit label count, so it holds one character less.
  while (rest.length > MAX_LABEL_LENGTH - 1) {
    labels.push(rest.slice(0, MAX_LABEL_LENGTH));
    rest = rest.slice(MAX_LABEL_LENGTH);
  }
  labels.push(`${labels.length + 1}${rest}`);
  const name = `${labels.join('.')}.${gwLabel}.${zone}`;
  if (name.length > MAX_NAME_LENGTH) throw new RangeError(`query name of ${name.length} characters exceeds ${MAX_NAME_LENGTH}`);
  return name;
}

export type ParsedName =
  | { kind: 'apex' }
  /** A prefix of a data name, as QNAME minimisation sends it: answer, do not count. */
  | { kind: 'partial'; gwLabel: string }
  | { kind: 'data'; gwLabel: string; sealed: Buffer }
  | { kind: 'malformed'; gwLabel: string | null };

/** Interprets the labels below the zone (left to right, any case). */
export function parseLabels(labels: readonly string[]): ParsedName {
  if (labels.length === 0) return { kind: 'apex' };
  const gwLabel = labels[labels.length - 1]!.toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(gwLabel)) return { kind: 'malformed', gwLabel: null };
  const data = labels.slice(0, -1);
  if (data.length === 0) return { kind: 'partial', gwLabel };
  const last = data[data.length - 1]!;
  const announced = last.charCodeAt(0) - 48;
  if (!(announced >= 1 && announced <= 9)) return { kind: 'malformed', gwLabel };
  if (data.length < announced) return { kind: 'partial', gwLabel };
  if (data.length > announced) return { kind: 'malformed', gwLabel };
  const sealed = base32Decode(data.slice(0, -1).join('') + last.slice(1));
  return sealed ? { kind: 'data', gwLabel, sealed } : { kind: 'malformed', gwLabel };
}

/** How the console answers a data query: chunk held (more to come), or message stored. */
export type AckStatus = 'received' | 'stored';

/**
 * The A record the console answers with: an HMAC of the query's nonce and status under a key
 * only the console and gateway hold. The first octet avoids private, loopback, CGNAT and
 * multicast ranges that resolvers with rebinding protection strip from answers.
 */
export function ackAddress(keys: DnsKeys, nonce: Buffer, status: AckStatus): string {
  const mac = createHmac('sha256', keys.ack).update(nonce).update(status).digest();
  const first = PUBLIC_FIRST_OCTETS[mac[0]! % PUBLIC_FIRST_OCTETS.length]!;
  return `${first}.${mac[1]}.${mac[2]}.${mac[3]}`;
}

const PUBLIC_FIRST_OCTETS = Array.from({ length: 223 }, (_, i) => i + 1).filter((o) => ![10, 100, 127, 169, 172, 192, 198].includes(o));

/** Largest chunk data that fits one name for this gateway label and zone. */
export function chunkCapacity(gwLabel: string, zone: string): number {
  for (let data = 200; data > 0; data--) {
    try {
      encodeName(Buffer.alloc(OVERHEAD_BYTES + data), gwLabel, zone);
      return data;
    } catch {
      /* too long: try one byte less */
    }
  }
  throw new RangeError(`zone ${zone} is too long to carry any data in a DNS name`);
}
