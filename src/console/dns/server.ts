/**
 * UDP and TCP adapters around the DnsResponder, on one port. TCP uses the two-byte length
 * prefix of RFC 1035 §4.2.2, with connection limits and idle timeouts (RFC 7766 §6.2).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import type { DnsResponder } from './responder.js';
import { ConnectionLimiter } from '../../net/connection-limiter.js';

const MAX_TCP_PER_SOURCE = 16;
const TCP_FRAME_DEADLINE_MS = 5_000;
const MAX_TCP_UNSENT_BYTES = 256 * 1024;

export interface DnsServerOptions {
  host: string;
  port: number;
  maxTcpConnections?: number;
  tcpIdleTimeoutMs?: number;
}

export class DnsServer {
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly limiter: ConnectionLimiter;
  port = 0;

  constructor(private readonly responder: DnsResponder, private readonly log: Logger, private readonly options: DnsServerOptions) {
    this.limiter = new ConnectionLimiter(options.maxTcpConnections ?? 128, MAX_TCP_PER_SOURCE);
  }

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
    this.limiter.destroyAll();
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
      // Source port 0 cannot be answered (and only a spoofer sends from it).
      if (rinfo.port === 0) return;
      const reply = this.responder.respond(msg, 'udp', rinfo.address);
      const send = (bytes: Buffer) => {
        try {
          socket.send(bytes, rinfo.port, rinfo.address);
        } catch (err) {
          this.log.debug({ err }, 'dns reply not sent');
        }
      };
      if (reply instanceof Promise) reply.then(send, () => {});
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
    if (!this.limiter.admit(socket, socket.remoteAddress ?? '')) {
      socket.destroy();
      return;
    }
    socket.on('error', () => {});
    socket.setTimeout(this.options.tcpIdleTimeoutMs ?? 10_000, () => socket.destroy());
    // Holds at most one partial message: 2 + 65535 bytes, which must complete within a deadline
    // (a byte every few seconds does not keep a slot).
    let pending: Buffer = Buffer.alloc(0);
    let frameDeadline: NodeJS.Timeout | undefined;
    socket.once('close', () => clearTimeout(frameDeadline));
    socket.on('data', (chunk: Buffer) => {
      if (pending.length === 0) {
        clearTimeout(frameDeadline);
        frameDeadline = setTimeout(() => socket.destroy(), TCP_FRAME_DEADLINE_MS);
      }
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        // Answers may complete out of order; RFC 7766 §7 allows that on TCP.
        const reply = this.responder.respond(Buffer.from(message), 'tcp', socket.remoteAddress ?? null);
        if (reply instanceof Promise) void reply.then((bytes) => !socket.destroyed && socket.write(frameTcp(bytes)));
        else if (reply) socket.write(frameTcp(reply));
      }
      if (pending.length) pending = Buffer.from(pending);
      else clearTimeout(frameDeadline);
      // A client that sends but never reads: stop reading until it drains its answers.
      if (socket.writableLength > MAX_TCP_UNSENT_BYTES && !socket.isPaused()) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    });
  }
}

function frameTcp(reply: Buffer): Buffer {
  const framed = Buffer.alloc(2 + reply.length);
  framed.writeUInt16BE(reply.length, 0);
  reply.copy(framed, 2);
  return framed;
}
