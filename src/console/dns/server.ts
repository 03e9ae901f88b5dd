/**
 * UDP and TCP adapters around the DnsResponder, on one port. TCP uses the two-byte length
 * prefix of RFC 1035 §4.2.2, with connection limits and idle timeouts (RFC 7766 §6.2).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import type { DnsResponder } from './responder.js';

export interface DnsServerOptions {
  host: string;
  port: number;
  maxTcpConnections?: number;
  tcpIdleTimeoutMs?: number;
}

export class DnsServer {
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly responder: DnsResponder, private readonly log: Logger, private readonly options: DnsServerOptions) {}

  async start(): Promise<number> {
    // With port 0, let UDP pick and bind TCP to the same number.
    for (let attempt = 0; ; attempt++) {
      const udpPort = await this.bindUdp(this.options.port);
      try {
        await this.bindTcp(udpPort);
        this.port = udpPort;
        return udpPort;
      } catch (err) {
        this.udp?.close();
        this.udp = null;
        if (this.options.port !== 0 || attempt >= 5) throw err;
      }
    }
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }

  private bindUdp(port: number): Promise<number> {
    const type = net.isIPv6(this.options.host) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, reuseAddr: false });
    this.udp = socket;
    socket.on('message', (msg, rinfo) => {
      const reply = this.responder.respond(msg, 'udp');
      const send = (bytes: Buffer) => socket.send(bytes, rinfo.port, rinfo.address);
      if (reply instanceof Promise) void reply.then(send);
      else if (reply) send(reply);
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.options.host, () => {
        socket.off('error', reject);
        socket.on('error', (err) => this.log.error({ err }, 'dns udp error'));
        // Room for bursts (resolvers retry in bursts); the kernel caps it at net.core.rmem_max.
        socket.setRecvBufferSize(4 * 1024 * 1024);
        resolve(socket.address().port);
      });
    });
  }

  private bindTcp(port: number): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    this.tcp = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.host, port }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log.error({ err }, 'dns tcp error'));
        resolve();
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.sockets.size >= (this.options.maxTcpConnections ?? 128)) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    socket.setTimeout(this.options.tcpIdleTimeoutMs ?? 10_000, () => socket.destroy());
    // Holds at most one partial message: 2 + 65535 bytes.
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        // Answers may complete out of order; RFC 7766 §7 allows that on TCP.
        const reply = this.responder.respond(Buffer.from(message), 'tcp');
        if (reply instanceof Promise) void reply.then((bytes) => !socket.destroyed && socket.write(frameTcp(bytes)));
        else if (reply) socket.write(frameTcp(reply));
      }
      if (pending.length) pending = Buffer.from(pending);
    });
  }
}

function frameTcp(reply: Buffer): Buffer {
  const framed = Buffer.alloc(2 + reply.length);
  framed.writeUInt16BE(reply.length, 0);
  reply.copy(framed, 2);
  return framed;
}
