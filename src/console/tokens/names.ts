/**
 * Canary token names, pure. A token is 25 characters of lower-case base32 (125 random bits); its
 * DNS name is `<token>.<zone>` and any name below it is a lookup of it too. The shape cannot be a
 * gateway's data label (exactly 16 hex digits, see relay/dns/envelope.ts parseLabels), so the
 * responder tells the two apart by the rightmost label alone.
 *
 * Names of the form `<base32 labels>.G<two digits>.<token>.<zone>` carry Canarytokens "generic
 * data": scripts written for a Canarytokens server work against this console unchanged.
 */
import { randomBytes } from 'node:crypto';
import { decodeGenericLabels } from '../../relay/canarytokens/generic-data.js';

export const TOKEN_LENGTH = 25;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const TOKEN_LABEL = new RegExp(`^[a-z2-7]{${TOKEN_LENGTH}}$`);

/** Incidents of token hits belong to no gateway: this pseudo id stands in for one. */
export const TOKEN_GATEWAY_ID = 'console';

export type TokenKind = 'dns' | 'url';

export function newTokenId(): string {
  // 256 is a multiple of 32: every byte maps to a letter without bias.
  return [...randomBytes(TOKEN_LENGTH)].map((b) => ALPHABET[b % 32]).join('');
}

/** Whether a label (any case: resolvers randomise it) has the shape of a token. */
export function isTokenLabel(label: string): boolean {
  return TOKEN_LABEL.test(label.toLowerCase());
}

export function tokenHostname(token: string, zone: string): string {
  return `${token}.${zone}`;
}

/** Where a URL token is served: a path prefix exempt from authentication. */
export const PUBLIC_TOKEN_PREFIX = '/t/';

export function tokenUrl(token: string, base: string): string {
  return `${base.replace(/\/+$/, '')}${PUBLIC_TOKEN_PREFIX}${token}`;
}

export interface TokenLookup {
  token: string;
  /** The labels left of the token, as sent (at most what a name holds). */
  prefix: string[];
  /** Canarytokens generic data, decoded, when the name carries it. */
  data?: string;
}

/**
 * Reads the labels below the zone (left to right, any case). Undefined unless the rightmost is a
 * token label.
 */
export function parseTokenLabels(labels: readonly string[]): TokenLookup | undefined {
  const last = labels[labels.length - 1];
  if (last === undefined || !isTokenLabel(last)) return undefined;
  const prefix = labels.slice(0, -1);
  const lookup: TokenLookup = { token: last.toLowerCase(), prefix: [...prefix] };
  const data = decodeGenericLabels(prefix);
  if (data !== undefined) lookup.data = data;
  return lookup;
}
