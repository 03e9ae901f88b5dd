/**
 * An authenticated test of the DNS relay path: a probe message (acknowledged by the console,
 * stored nowhere) sealed with the gateway's key and sent through the gateway's resolver, once
 * in short names and once in the longest names the channel uses. Only the console can compute
 * the acknowledgement, so an answer proves the whole path: resolver, delegation, console, key.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { ackAddress, chunkCapacity, deriveDnsKeys, encodeName, gatewayLabel, MAX_CHUNKS, MSG_ID_BYTES, sealChunk, type Chunk, type DnsKeys } from '../relay/dns/envelope.js';
import { ResolverClient, ResolverTimeout, type ResolverAddress } from '../relay/dns/resolver-client.js';
import { MAX_PROBE_PAD } from '../relay/wire.js';

/** Data bytes per chunk of the short probe: names of about 100 characters, as short as ours get. */
const SHORT_CHUNK_BYTES = 8;

export type ProbeOutcome =
  | { kind: 'acked' }
  /** No reply at all, after every attempt. */
  | { kind: 'timeout' }
  /** The resolver answered with an error: SERVFAIL, NXDOMAIN, REFUSED… */
  | { kind: 'rcode'; rcode: string }
  /** NOERROR without an address: the console's server answered but did not acknowledge. */
  | { kind: 'nodata' }
  /** Addresses the console did not compute: someone else answers for the zone. */
  | { kind: 'foreign'; addresses: string[] };

export interface NameProbe {
  outcome: ProbeOutcome;
  /** Length of the longest name sent, in characters. */
  nameLength: number;
  queries: number;
}

export interface DnsProbeResult {
  short: NameProbe;
  long: NameProbe;
}

export interface DnsProbeOptions {
  gatewayId: string;
  secret: Buffer;
  zone: string;
  resolver: ResolverAddress;
  timeoutMs: number;
  /** Tries per query before it counts as unanswered (UDP may lose one). */
  attempts?: number;
}

export async function probeDnsPath(options: DnsProbeOptions): Promise<DnsProbeResult> {
  const keys = deriveDnsKeys(options.secret);
  const gwLabel = gatewayLabel(options.gatewayId);
  const zone = options.zone.toLowerCase().replace(/\.$/, '');
  const capacity = chunkCapacity(gwLabel, zone);
  const client = new ResolverClient(options.resolver, options.timeoutMs);
  const send = (chunks: Chunk[]) => sendMessage(client, keys, gwLabel, zone, chunks, options.attempts ?? 2);
  try {
    const [short, long] = await Promise.all([send(split(probePayload(0), SHORT_CHUNK_BYTES)), send(split(longProbePayload(capacity), capacity))]);
    return { short, long };
  } finally {
    client.close();
  }
}

function probePayload(padChars: number): Buffer {
  const pad = randomBytes(Math.ceil(padChars * 0.75) + 3).toString('base64url').slice(0, padChars);
  return deflateRawSync(JSON.stringify({ probe: { at: new Date().toISOString(), pad } }));
}

/** A payload of at least two full chunks: its first names are as long as the channel's longest. */
function longProbePayload(capacity: number): Buffer {
  for (let pad = capacity * 2; pad <= MAX_PROBE_PAD; pad += capacity) {
    const payload = probePayload(pad);
    if (payload.length > capacity) return payload;
  }
  return probePayload(MAX_PROBE_PAD);
}

function split(payload: Buffer, chunkBytes: number): Chunk[] {
  const count = Math.ceil(payload.length / chunkBytes);
  if (count > MAX_CHUNKS) throw new RangeError(`probe of ${payload.length} bytes needs ${count} chunks`);
  const msgId = randomBytes(MSG_ID_BYTES);
  return Array.from({ length: count }, (_, index) => ({ msgId, index, count, data: payload.subarray(index * chunkBytes, (index + 1) * chunkBytes) }));
}

/** Chunks in order; stops at the first one that is not acknowledged. */
async function sendMessage(client: ResolverClient, keys: DnsKeys, gwLabel: string, zone: string, chunks: Chunk[], attempts: number): Promise<NameProbe> {
  let nameLength = 0;
  let queries = 0;
  for (const chunk of chunks) {
    let outcome: ProbeOutcome = { kind: 'timeout' };
    for (let attempt = 0; attempt < attempts && outcome.kind === 'timeout'; attempt++) {
      // A fresh nonce each try, as the channel does: no cache can answer a resend.
      const { sealed, nonce } = sealChunk(keys, gwLabel, zone, chunk);
      const name = encodeName(sealed, gwLabel, zone);
      nameLength = Math.max(nameLength, name.length);
      queries++;
      outcome = await ask(client, name, [ackAddress(keys, nonce, 'received'), ackAddress(keys, nonce, 'stored')]);
    }
    if (outcome.kind !== 'acked') return { outcome, nameLength, queries };
  }
  return { outcome: { kind: 'acked' }, nameLength, queries };
}

async function ask(client: ResolverClient, name: string, acks: string[]): Promise<ProbeOutcome> {
  try {
    const reply = await client.query(name, 'A');
    if (reply.rcode !== 'NOERROR') return { kind: 'rcode', rcode: reply.rcode };
    const addresses = reply.answers.filter((a) => a.type === 'A').map((a) => String((a as { data: unknown }).data));
    if (addresses.length === 0) return { kind: 'nodata' };
    if (addresses.length === 1 && acks.includes(addresses[0]!)) return { kind: 'acked' };
    return { kind: 'foreign', addresses: addresses.slice(0, 4) };
  } catch (err) {
    if (err instanceof ResolverTimeout) return { kind: 'timeout' };
    return { kind: 'rcode', rcode: `error: ${(err as Error).message}` };
  }
}
