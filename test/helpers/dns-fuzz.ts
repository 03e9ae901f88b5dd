/** Drives a DNS server with hostile packets over UDP and TCP, checking it still answers valid queries. */
import dgram from 'node:dgram';
import net from 'node:net';
import { mutate, prng, seedQueries } from './dns-mutations.js';
import { aQuery, queryUdp } from './fake-dns.js';

export interface FuzzReport {
  udpSent: number;
  tcpSent: number;
  probesAnswered: number;
  probes: number;
}

export async function fuzzDns(opts: { port: number; zone: string; gwLabel: string; udp: number; tcp: number; seed?: number }): Promise<FuzzReport> {
  const rand = prng(opts.seed ?? 1);
  const seeds = seedQueries(opts.zone, opts.gwLabel);
  const next = () => mutate(seeds[Math.floor(rand() * seeds.length)]!, rand);
  const report: FuzzReport = { udpSent: 0, tcpSent: 0, probesAnswered: 0, probes: 0 };
  // A valid query sent after a burst queues behind it: its answer means the burst was handled.
  // Under a flood the kernel may drop a datagram, so a probe gets a few tries.
  const probe = async () => {
    report.probes++;
    for (let attempt = 0; attempt < 10; attempt++) {
      const reply = await queryUdp(opts.port, aQuery(opts.zone, 'SOA'), 500).catch(() => undefined);
      if (reply?.answers?.[0]?.type === 'SOA') {
        report.probesAnswered++;
        return;
      }
    }
  };

  const socket = dgram.createSocket('udp4');
  socket.on('message', () => {});
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  for (let i = 0; i < opts.udp; i++) {
    socket.send(next(), opts.port, '127.0.0.1');
    report.udpSent++;
    // Bursts that fit the server's receive buffer, paced by its answers.
    if (i % 100 === 99) await probe();
  }
  socket.close();

  const perConnection = 5_000;
  for (let sent = 0; sent < opts.tcp; sent += perConnection) {
    const count = Math.min(perConnection, opts.tcp - sent);
    await new Promise<void>((resolve) => {
      const s = net.connect(opts.port, '127.0.0.1', () => {
        const frames: Buffer[] = [];
        for (let i = 0; i < count; i++) {
          const body = next();
          const prefix = Buffer.alloc(2);
          // Mostly honest length prefixes; sometimes a lie.
          prefix.writeUInt16BE(rand() < 0.95 ? Math.min(body.length, 0xffff) : Math.floor(rand() * 0x10000));
          frames.push(prefix, body);
        }
        s.end(Buffer.concat(frames));
        report.tcpSent += count;
      });
      s.on('data', () => {});
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.setTimeout(15_000, () => s.destroy());
    });
    await probe();
  }
  return report;
}
