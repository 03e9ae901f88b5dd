/**
 * A minimal stub resolver client over UDP: sends A queries to one recursive resolver and matches
 * answers by id and question name. Answers are only trusted after the channel checks their MAC.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { getServers } from 'node:dns';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';

export interface ResolverAddress {
  host: string;
  port: number;
}

/** `IP`, `IP:PORT`, `[IPv6]:PORT`. */
export function parseResolver(text: string): ResolverAddress {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4 = /^([^:]+)(?::(\d+))?$/.exec(text);
  const host = v6?.[1] ?? (net.isIPv6(text) ? text : v4?.[1]);
  const port = Number(v6?.[2] ?? (net.isIPv6(text) ? undefined : v4?.[2]) ?? 53);
  if (!host || !net.isIP(host) || !(port > 0 && port < 65536)) throw new Error(`resolver "${text}" is not IP or IP:PORT`);
  return { host, port };
}

/** The first resolver the system is configured with (/etc/resolv.conf), as nslookup would use. */
export function systemResolver(): ResolverAddress {
  const first = getServers()[0];
  if (!first) throw new Error('no system resolver configured; pass --resolver IP:PORT');
  return parseResolver(net.isIPv6(first) ? `[${first}]` : first);
}

export class ResolverTimeout extends Error {}

/** A resolver's reply as far as a caller needs it: the response code and the answer records. */
export interface ResolverReply {
  /** dns-packet's name for the RCODE: NOERROR, SERVFAIL, NXDOMAIN, REFUSED… */
  rcode: string;
  answers: Answer[];
}

interface Pending {
  name: string;
  resolve: (reply: ResolverReply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class ResolverClient {
  private socket: dgram.Socket | null = null;
  private readonly pending = new Map<number, Pending>();

  constructor(readonly resolver: ResolverAddress, private readonly timeoutMs = 1_500) {}

  /** Resolves with the A addresses answered for `name` (empty for NODATA/NXDOMAIN/other). */
  async queryA(name: string): Promise<string[]> {
    const reply = await this.query(name, 'A');
    const lower = name.toLowerCase();
    return reply.answers.filter((a) => a.type === 'A' && a.name.toLowerCase() === lower).map((a) => String((a as { data: unknown }).data));
  }

  /** One query of any type; resolves with the reply's code and answers, rejects on timeout. */
  query(name: string, type: 'A' | 'SOA' | 'NS' = 'A'): Promise<ResolverReply> {
    const socket = this.open();
    let id = randomInt(0, 0x10000);
    for (let i = 0; this.pending.has(id) && i < 100; i++) id = randomInt(0, 0x10000);
    if (this.pending.has(id)) return Promise.reject(new Error('too many queries in flight'));
    // EDNS0 (RFC 6891) with the flag-day size, as modern stub resolvers send.
    const opt = { type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as Answer;
    const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }], additionals: [opt] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ResolverTimeout(`no answer from ${this.resolver.host}:${this.resolver.port} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { name: name.toLowerCase(), resolve, reject, timer });
      socket.send(query, this.resolver.port, this.resolver.host, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('resolver client closed'));
    }
    this.pending.clear();
    this.socket?.close();
    this.socket = null;
  }

  private open(): dgram.Socket {
    if (this.socket) return this.socket;
    const socket = dgram.createSocket(net.isIPv6(this.resolver.host) ? 'udp6' : 'udp4');
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== this.resolver.port || rinfo.address !== this.resolver.host) return;
      let packet: Packet;
      try {
        packet = dnsPacket.decode(msg);
      } catch {
        return;
      }
      const pending = packet.id === undefined ? undefined : this.pending.get(packet.id);
      const question = packet.questions?.[0]?.name.toLowerCase();
      if (!pending || question !== pending.name) return;
      clearTimeout(pending.timer);
      this.pending.delete(packet.id!);
      pending.resolve({ rcode: (packet as { rcode?: string }).rcode ?? 'NOERROR', answers: packet.answers ?? [] });
    });
    socket.on('error', () => {});
    socket.unref();
    this.socket = socket;
    return socket;
  }
}
