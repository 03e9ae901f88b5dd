/** A fake DNS server on loopback: records every query and answers however the test says. */
import dgram from 'node:dgram';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';

export interface FakeDns {
  port: number;
  names: string[];
  close(): Promise<void>;
}

/** `answer` returns the A addresses to send for a name (or a forwarded raw reply). */
export async function startFakeDns(answer: (name: string, query: Buffer) => Promise<string[] | Buffer> | string[] | Buffer): Promise<FakeDns> {
  const socket = dgram.createSocket('udp4');
  const names: string[] = [];
  socket.on('message', async (msg, rinfo) => {
    let query: Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const name = query.questions?.[0]?.name ?? '';
    names.push(name);
    const result = await answer(name, msg);
    if (Buffer.isBuffer(result)) {
      // Keep the client's id on a forwarded reply.
      const reply = Buffer.from(result);
      reply.writeUInt16BE(query.id ?? 0, 0);
      socket.send(reply, rinfo.port, rinfo.address);
      return;
    }
    const answers: Answer[] = result.map((data) => ({ name, type: 'A', ttl: 60, data }));
    socket.send(dnsPacket.encode({ id: query.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: query.questions, answers }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, names, close: () => new Promise((r) => socket.close(() => r())) };
}

/** One UDP query to a server; resolves with the decoded reply. */
export function queryUdp(port: number, packet: Buffer, timeoutMs = 2_000): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no DNS reply'));
    }, timeoutMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      try {
        resolve(dnsPacket.decode(msg));
      } catch (err) {
        reject(err as Error);
      }
    });
    socket.send(packet, port, '127.0.0.1');
  });
}

export function aQuery(name: string, type: 'A' | 'SOA' | 'NS' | 'AAAA' | 'TXT' = 'A', id = 4242): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}
