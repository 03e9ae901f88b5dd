/**
 * Modbus/TCP adapter: sockets, MBAP framing and connection limits around the transport-free
 * ModbusDevice. Each request is recorded (committed) before its reply is written.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { MbapDeframer, encodeMbap, type MbapEvent } from './codec/mbap.js';
import type { ModbusDevice, Execution } from './device.js';
import { MAX_RAW_BYTES, newHitId, type Hit, type HitOutcome, type RequestFacts } from '../../core/hit.js';
import type { HitRecorder } from '../../gateway/recorder.js';
import { ConnectionLimiter } from '../../net/connection-limiter.js';

export interface ModbusTcpOptions {
  host: string;
  port: number;
  /** Concurrent connections in total; real PLCs allow a handful to a few dozen. */
  maxConnections?: number;
  maxConnectionsPerSource?: number;
  /** Close a connection that sends nothing for this long. */
  idleTimeoutMs?: number;
  /** Close a connection whose frame stays incomplete this long. */
  partialFrameTimeoutMs?: number;
}

/** Replies queued for a client that does not read, before we stop reading from it. */
const MAX_UNSENT_BYTES = 64 * 1024;
const REFUSED_HIT_INTERVAL_MS = 10_000;
/** Frames read ahead of the commit in progress before reading pauses. */
const MAX_BACKLOG_FRAMES = 256;

export class ModbusTcpServer {
  private readonly server: net.Server;
  private readonly limiter: ConnectionLimiter;
  private readonly refusedAt = new Map<string, number>();
  private localPort = 0;

  constructor(
    private readonly decoy: string,
    private readonly device: ModbusDevice,
    private readonly recorder: HitRecorder,
    private readonly log: Logger,
    private readonly options: ModbusTcpOptions,
  ) {
    // Real PLCs allow a handful to a few dozen connections.
    this.limiter = new ConnectionLimiter(options.maxConnections ?? 32, options.maxConnectionsPerSource ?? 8);
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.log.error({ err }, 'modbus listener error'));
        resolve();
      });
    });
    this.localPort = (this.server.address() as net.AddressInfo).port;
    return this.localPort;
  }

  get port(): number {
    return this.localPort;
  }

  /** Connections open now. */
  get connections(): number {
    return this.limiter.size;
  }

  /** Idle connections dropped to admit new clients when every slot was taken. */
  get evictions(): number {
    return this.limiter.evicted;
  }

  async close(): Promise<void> {
    this.limiter.destroyAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const ip = normaliseIp(socket.remoteAddress);
    const port = socket.remotePort ?? 0;
    if (!this.limiter.admit(socket, ip)) {
      // Exhausting a PLC's connection slots is itself a probe: record it, at most once per window
      // per source, so the flood cannot also flood the database.
      const last = this.refusedAt.get(ip) ?? 0;
      if (Date.now() - last > REFUSED_HIT_INTERVAL_MS) {
        if (this.refusedAt.size > 10_000) this.refusedAt.clear();
        this.refusedAt.set(ip, Date.now());
        this.recorder
          .record(this.malformed({ ip, port }, null, Buffer.alloc(0), `connection refused: ${this.limiter.size} open, ${this.limiter.countFrom(ip)} from this source`, 'refused'))
          .catch((err: unknown) => this.log.error({ err }, 'could not record hit'));
      }
      socket.destroy();
      return;
    }
    socket.on('error', () => {
      /* resets by the peer are normal for scanners */
    });
    socket.setTimeout(this.options.idleTimeoutMs ?? 60_000, () => socket.destroy());

    socket.setNoDelay(true);
    const deframer = new MbapDeframer();
    // A frame arrives in one segment from any real client; one left half-sent is a slot-holder.
    let partialTimer: NodeJS.Timeout | undefined;
    // Frames wait here while the previous ones' hits are being committed: replies stay in request
    // order, and no reply leaves before its hit is durable. Reading goes on (pausing a socket
    // per request costs two system calls) until the backlog or the unsent replies grow too large.
    let backlog: MbapEvent[] = [];
    let committing = false;
    let closing = false;
    socket.once('close', () => {
      clearTimeout(partialTimer);
      // The client hung up (or was evicted) with requests still waiting: they were sent, so they
      // are hits, recorded without a reply.
      for (const event of backlog.splice(0)) {
        this.recorder.record(this.handle(event, ip, port).hit).catch((err: unknown) => this.log.error({ err }, 'could not record hit'));
      }
    });

    const answerBacklog = () => {
      // One commit carries at most a batch: a 64 KiB segment of tiny frames does not become
      // thousands of hits in flight at once.
      const events = backlog.splice(0, MAX_BACKLOG_FRAMES);
      committing = true;
      const replies: Buffer[] = [];
      const commits: Promise<void>[] = [];
      for (const event of events) {
        const { hit, reply } = this.handle(event, ip, port);
        commits.push(this.recorder.record(hit));
        if (reply) replies.push(reply);
      }
      Promise.all(commits).then(
        () => {
          committing = false;
          if (socket.destroyed) return;
          socket.cork();
          for (const reply of replies) socket.write(reply);
          socket.uncork();
          if (closing) {
            if (backlog.length > 0) return answerBacklog();
            // Flush the replies, then close; never read another byte.
            socket.end();
            setTimeout(() => socket.destroy(), 1_000).unref();
            return;
          }
          if (socket.writableLength > MAX_UNSENT_BYTES) {
            // A client that sends but never reads: go on once it drains what it was sent.
            socket.pause();
            socket.once('drain', resume);
            return;
          }
          resume();
        },
        (err: unknown) => {
          // Never answer what was not recorded: the client sees a device that dropped the line.
          this.log.error({ err }, 'could not record hit; closing connection');
          socket.destroy();
        },
      );
    };
    const resume = () => {
      if (socket.destroyed) return;
      if (backlog.length > 0 && !committing) answerBacklog();
      if (!closing && backlog.length < MAX_BACKLOG_FRAMES && socket.isPaused()) socket.resume();
    };

    socket.on('data', (chunk: Buffer) => {
      if (closing) return;
      const events = deframer.push(chunk);
      clearTimeout(partialTimer);
      if (deframer.buffered > 0) partialTimer = setTimeout(() => socket.destroy(), this.options.partialFrameTimeoutMs ?? 5_000);
      if (events.length === 0) return;
      this.limiter.touch(socket);
      for (const event of events) {
        backlog.push(event);
        if (event.kind === 'bad-length') {
          // The frame boundary is lost: answer what came before, record this, read no more.
          closing = true;
          socket.pause();
          break;
        }
      }
      if (backlog.length >= MAX_BACKLOG_FRAMES) socket.pause();
      if (!committing) answerBacklog();
    });
  }

  /** The hit for one framing event, and the reply to send once it is committed. */
  private handle(event: MbapEvent, ip: string, port: number): { hit: Hit; reply: Buffer | null } {
    const { header, raw } = event;
    const src = { ip, port };
    if (event.kind === 'bad-length') {
      return { hit: this.malformed(src, header.unitId, raw, `MBAP length ${header.length} outside 2..254`), reply: null };
    }
    if (header.protocolId !== 0) {
      // Implementation Guide §3.1.3: a non-Modbus protocol id is discarded without reply.
      return { hit: this.malformed(src, header.unitId, raw, `MBAP protocol id ${header.protocolId} is not Modbus (0)`), reply: null };
    }
    const execution = this.device.execute(header.unitId, event.pdu);
    const reply = execution.reply ? encodeMbap(header.transactionId, header.unitId, execution.reply) : null;
    return { hit: this.toHit(src, execution, raw), reply };
  }

  /** What the request did, as a hit. */
  private toHit(src: Hit['src'], e: Execution, raw: Buffer): Hit {
    const { reply: _reply, ...facts } = e;
    return this.hit(src, raw, facts);
  }

  /** A hit for bytes that never became a request (bad framing, refused connection). */
  private malformed(src: Hit['src'], unitId: number | null, raw: Buffer, detail: string, outcome: HitOutcome = 'malformed'): Hit {
    return this.hit(src, raw, {
      unitId,
      functionCode: raw.length > 7 ? raw[7]! : null,
      address: null,
      quantity: null,
      values: null,
      outcome,
      exceptionCode: null,
      points: [],
      detail,
    });
  }

  private hit(src: Hit['src'], raw: Buffer, facts: RequestFacts): Hit {
    return {
      id: newHitId(),
      at: new Date().toISOString(),
      decoy: this.decoy,
      protocol: 'modbus-tcp',
      src,
      dstPort: this.localPort,
      ...facts,
      raw: raw.length ? raw.subarray(0, MAX_RAW_BYTES).toString('hex') : null,
    };
  }
}

/** IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d; report the IPv4 address. */
export function normaliseIp(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
