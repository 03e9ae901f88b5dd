/**
 * The Canarytokens "generic data" DNS format: readable text, base32 (RFC 4648, upper case, '='
 * stripped), split into labels anywhere, then `G<two digits>` and the token hostname. A stock
 * Canarytokens server removes the dots and decodes the labels before the G label. Pure.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { base32Decode, base32Encode } from '../dns/base32.js';
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from '../dns/envelope.js';

/** A label of this shape makes the server read the name as another token type. */
const RESERVED_LABEL = /^L\d\d$/i;

/** Bytes of text that fit in one lookup under `hostname`. */
export function genericDataCapacity(hostname: string): number {
  const room = MAX_NAME_LENGTH - hostname.length - '.G00.'.length;
  // Every 64th character is a dot.
  const chars = room - Math.floor(room / (MAX_LABEL_LENGTH + 1));
  return Math.floor((chars * 5) / 8);
}

/**
 * Encodes `text` (cut to fit, on a character boundary) followed by a short nonce, so that no
 * resolver cache answers a repeat. Returns the name to look up (type A).
 */
export function encodeGenericData(text: string, hostname: string): string {
  const host = hostname.replace(/\.$/, '');
  const nonce = randomBytes(3).toString('hex');
  const budget = genericDataCapacity(host) - nonce.length - 1;
  if (budget < 8) throw new RangeError(`Canarytokens hostname ${host} leaves no room for data`);
  let body = Buffer.from(text, 'utf8');
  if (body.length > budget) body = Buffer.from(body.subarray(0, budget).toString('utf8').replace(/\uFFFD+$/, ''), 'utf8');
  const encoded = base32Encode(Buffer.concat([body, Buffer.from(` ${nonce}`)]));
  let labels = splitLabels(encoded, MAX_LABEL_LENGTH);
  // Only a short last label can look like L<dd>; shorten the one before it to change the split.
  if (labels.some((l) => RESERVED_LABEL.test(l))) labels = splitLabels(encoded, MAX_LABEL_LENGTH - 1);
  const digits = String(randomInt(0, 100)).padStart(2, '0');
  return `${labels.join('.')}.G${digits}.${host}`;
}

/** What the Canarytokens server does with such a name: the decoded text, or undefined. */
export function decodeGenericData(name: string, hostname: string): string | undefined {
  const host = hostname.replace(/\.$/, '').toLowerCase();
  const lower = name.toLowerCase();
  if (!lower.endsWith(`.${host}`)) return undefined;
  return decodeGenericLabels(name.slice(0, name.length - host.length - 1).split('.'));
}

/**
 * The labels left of the token hostname, decoded: base32 (any case, since resolvers randomise it)
 * in any number of labels, then `G<dd>` right before the hostname. Undefined when the labels are
 * not that shape or do not decode. The console's token channel reads lookups with this.
 */
export function decodeGenericLabels(prefix: readonly string[]): string | undefined {
  if (prefix.length < 2 || !/^G\d\d$/i.test(prefix[prefix.length - 1]!)) return undefined;
  return base32Decode(prefix.slice(0, -1).join('').toUpperCase())?.toString('utf8');
}

function splitLabels(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
