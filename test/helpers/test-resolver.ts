/**
 * A small recursive-resolver stand-in on loopback: forwards queries to the console's DNS port,
 * or misbehaves as site resolvers do: drops a zone (blackhole), or SERVFAILs long names.
 * Anything outside the zone (the doctor's "does the resolver answer at all?") gets REFUSED.
 */
import dgram from 'node:dgram';
import dnsPacket, { type Packet } from 'dns-packet';

export type ResolverMode = { kind: 'forward' } | { kind: 'blackhole' } | { kind: 'servfail-long'; longerThan: number };

export interface TestResolver {
  port: number;
  /** Names asked, in order. */
  names: string[];
  close(): Promise<void>;
}

export async function startTestResolver(zone: string, upstreamPort: number, mode: ResolverMode): Promise<TestResolver> {
  const socket = dgram.createSocket('udp4');
  const names: string[] = [];
  // An error reply echoes the question, as resolvers do (RFC 1035 §4.1.1).
  const reply = (query: Packet, rcode: number, to: dgram.RemoteInfo) => {
    const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode;
    socket.send(dnsPacket.encode({ type: 'response', id: query.id, flags, questions: query.questions }), to.port, to.address);
  };
  socket.on('message', (msg, rinfo) => {
    let query: Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const name = (query.questions?.[0]?.name ?? '').toLowerCase();
    names.push(name);
    const inZone = name === zone || name.endsWith(`.${zone}`);
    if (!inZone) return reply(query, 5, rinfo); // REFUSED
    if (mode.kind === 'blackhole') return;
    if (mode.kind === 'servfail-long' && name.length > mode.longerThan) return reply(query, 2, rinfo); // SERVFAIL
    forward(msg, upstreamPort).then((answer) => answer && socket.send(answer, rinfo.port, rinfo.address));
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, names, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** One query upstream on its own socket (the reply keeps the client's id). */
function forward(query: Buffer, port: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const upstream = dgram.createSocket('udp4');
    const timer = setTimeout(() => done(undefined), 2_000);
    const done = (answer: Buffer | undefined) => {
      clearTimeout(timer);
      upstream.close();
      resolve(answer);
    };
    upstream.on('message', (answer) => done(answer));
    upstream.on('error', () => done(undefined));
    upstream.send(query, port, '127.0.0.1');
  });
}
