/**
 * The console's authoritative DNS logic, transport-free: query bytes in, answer bytes out.
 * dns-packet throws on malformed input; every throw is contained here and becomes a FORMERR
 * (or silence when even the header is unreadable).
 */
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';
import { matchZone } from './zone.js';
import { encodeResponse } from './encode.js';
import { parseLabels, type ParsedName } from '../../relay/dns/envelope.js';
import { parseTokenLabels, type TokenLookup } from '../tokens/names.js';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const TTL = 60;
/** Token answers are not worth caching: the next lookup should reach the console too. */
const TOKEN_TTL = 1;
/** UDP answers without EDNS fit 512 bytes (RFC 1035 §4.2.1); with EDNS we allow up to 1232 (DNS flag day 2020). */
const MAX_EDNS_UDP = 1232;

export type QueryKind = 'apex' | 'data' | 'partial' | 'token' | 'unknown' | 'refused' | 'formerr' | 'notimp';

export interface ResponderDeps {
  zones: readonly string[];
  publicIp?: string;
  /** Handles a data name; returns the A record to answer with (or its promise), if any. */
  onData(parsed: Extract<ParsedName, { kind: 'data' }>, zone: string, qname: string): string | Promise<string | undefined> | undefined;
  /** Counts a query by kind (and notes names in the zone that are not ours). */
  onQuery(kind: QueryKind, detail?: ParsedName): void;
  /** A name under a gateway's label that no gateway could have sent. */
  onForged(gwLabel: string): void;
  /** A name under a canary token's label (known or not: the answer is the same either way). */
  onToken?(lookup: TokenLookup, qname: string, qtype: string, src: string | null): void;
  serial?: number;
}

export class DnsResponder {
  private readonly serial: number;

  constructor(private readonly deps: ResponderDeps) {
    const d = new Date();
    this.serial = deps.serial ?? Number(`${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}01`);
  }

  /**
   * Returns the reply (a promise of it while data is being stored), or undefined to stay
   * silent (unreadable header, or not a query).
   */
  respond(bytes: Buffer, transport: 'udp' | 'tcp', src: string | null = null): Buffer | Promise<Buffer> | undefined {
    if (bytes.length < 12) return undefined;
    const id = bytes.readUInt16BE(0);
    const flags = bytes.readUInt16BE(2);
    if (flags & 0x8000) return undefined; // a response: never answer it (no loops, no reflection)
    let query: Packet;
    try {
      query = dnsPacket.decode(bytes);
    } catch {
      this.deps.onQuery('formerr');
      return this.minimal(id, flags, RCODE.FORMERR);
    }
    const opcode = (flags >> 11) & 0xf;
    if (opcode !== 0) {
      this.deps.onQuery('notimp');
      return this.minimal(id, flags, RCODE.NOTIMP);
    }
    const questions = query.questions ?? [];
    if (questions.length !== 1 || !echoesExactly(bytes, questions[0]!)) {
      // Names that do not survive decoding unchanged (non-ASCII bytes, dots inside labels) would
      // be echoed as a different, longer question: refuse to parse them instead.
      this.deps.onQuery('formerr');
      return this.minimal(id, flags, RCODE.FORMERR);
    }
    const question = questions[0]!;
    const qtype = question.type as string;
    if ((question as { class?: string }).class !== 'IN' && (question as { class?: string }).class !== undefined) {
      this.deps.onQuery('refused');
      return this.minimal(id, flags, RCODE.REFUSED);
    }
    if (qtype === 'AXFR' || qtype === 'IXFR') {
      // No zone transfers: there is nothing to list, and nothing a stranger should get.
      this.deps.onQuery('notimp');
      return this.minimal(id, flags, RCODE.NOTIMP);
    }
    try {
      const reply = this.answer(query, questions[0]!, transport, src);
      return reply instanceof Promise ? reply.catch(() => this.minimal(id, flags, RCODE.SERVFAIL)) : reply;
    } catch {
      this.deps.onQuery('formerr');
      return this.minimal(id, flags, RCODE.SERVFAIL);
    }
  }

  private answer(query: Packet, question: Question, transport: 'udp' | 'tcp', src: string | null): Buffer | Promise<Buffer> {
    const match = matchZone(this.deps.zones, question.name);
    if (!match) {
      this.deps.onQuery('refused');
      return this.reply(query, question, transport, RCODE.REFUSED, [], [], false);
    }
    const { zone, labels } = match;
    const zoneName = question.name.slice(question.name.length - zone.length);
    const answers: Answer[] = [];
    const qtype = question.type as string; // 'ANY' (255) is missing from dns-packet's type union
    // ANY gets the SOA alone (a minimal answer, RFC 8482): no amplification.
    const wants = (type: string) => qtype === type || (qtype === 'ANY' && type === 'SOA');

    if (labels.length === 0) {
      this.deps.onQuery('apex');
      if (wants('SOA')) answers.push(this.soa(zoneName));
      if (wants('NS')) answers.push({ name: zoneName, type: 'NS', ttl: 3600, data: `ns1.${zone}` });
      if (wants('A') && this.deps.publicIp) answers.push({ name: question.name, type: 'A', ttl: TTL, data: this.deps.publicIp });
      return this.reply(query, question, transport, RCODE.NOERROR, answers, answers.length ? [] : [this.soa(zoneName)], true);
    }
    if (labels.length === 1 && labels[0]!.toLowerCase() === 'ns1') {
      this.deps.onQuery('apex');
      if (wants('A') && this.deps.publicIp) answers.push({ name: question.name, type: 'A', ttl: 3600, data: this.deps.publicIp });
      return this.reply(query, question, transport, RCODE.NOERROR, answers, answers.length ? [] : [this.soa(zoneName)], true);
    }

    const token = parseTokenLabels(labels);
    if (token) {
      // Every token name resolves (to the console's address when it has one), so a lookup looks
      // like any other; whether the token exists is nobody's business but the console's.
      this.deps.onQuery('token');
      this.deps.onToken?.(token, question.name, qtype, src);
      if (wants('A') && this.deps.publicIp) answers.push({ name: question.name, type: 'A', ttl: TOKEN_TTL, data: this.deps.publicIp });
      return this.reply(query, question, transport, RCODE.NOERROR, answers, answers.length ? [] : [this.soa(zoneName)], true);
    }
    const parsed = parseLabels(labels);
    this.deps.onQuery(parsed.kind === 'data' ? 'data' : parsed.kind === 'partial' ? 'partial' : 'unknown', parsed);
    if (parsed.kind === 'malformed' && parsed.gwLabel) this.deps.onForged(parsed.gwLabel);
    // Every other name in the zone exists as an empty non-terminal: NODATA, never NXDOMAIN,
    // so QNAME-minimising resolvers keep walking down (RFC 9156 §3, RFC 8020).
    const finish = (address: string | undefined) => {
      if (address && wants('A')) answers.push({ name: question.name, type: 'A', ttl: TTL, data: address });
      return this.reply(query, question, transport, RCODE.NOERROR, answers, answers.length ? [] : [this.soa(zoneName)], true);
    };
    if (parsed.kind !== 'data') return finish(undefined);
    // The data is in the name: act on it whatever the type, answer only what was asked.
    const address = this.deps.onData(parsed, zone, question.name);
    if (address instanceof Promise) {
      // Storing failed: stay silent (a resolver retries; the gateway resends).
      return address.then(finish);
    }
    return finish(address);
  }

  private soa(zoneName: string): Answer {
    const zone = zoneName.toLowerCase();
    return {
      name: zoneName,
      type: 'SOA',
      ttl: 3600,
      data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: this.serial, refresh: 3600, retry: 600, expire: 604800, minimum: TTL },
    };
  }

  private reply(query: Packet, question: Question, transport: 'udp' | 'tcp', rcode: number, answers: Answer[], authorities: Answer[], authoritative: boolean): Buffer {
    const opt = (query.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const flags = (authoritative ? FLAG_AA : 0) | ((query.flags ?? 0) & FLAG_RD) | rcode;
    const additionals: Answer[] = opt ? [{ type: 'OPT', name: '.', udpPayloadSize: MAX_EDNS_UDP, flags: 0, options: [] } as unknown as Answer] : [];
    const parts = { id: query.id ?? 0, flags, question, answers, authorities, additionals };
    const full = encodeResponse(parts);
    const limit = transport === 'tcp' ? 65535 : opt ? Math.min(MAX_EDNS_UDP, Math.max(512, opt.udpPayloadSize ?? 512)) : 512;
    if (full.length <= limit) return full;
    // Too long for this transport: header and question with TC set, so the resolver retries over TCP.
    return encodeResponse({ ...parts, flags: flags | FLAG_TC, answers: [], authorities: [] });
  }

  private minimal(id: number, queryFlags: number, rcode: number): Buffer {
    const out = Buffer.alloc(12);
    out.writeUInt16BE(id, 0);
    out.writeUInt16BE(0x8000 | (queryFlags & 0x7800) | (queryFlags & FLAG_RD) | rcode, 2);
    return out;
  }
}

/** True when the question re-encodes to exactly the bytes that followed the header. */
function echoesExactly(bytes: Buffer, question: Question): boolean {
  try {
    const encoded = dnsPacket.encode({ type: 'query', id: 0, questions: [question] }).subarray(12);
    return bytes.length >= 12 + encoded.length && bytes.subarray(12, 12 + encoded.length).equals(encoded);
  } catch {
    return false;
  }
}
