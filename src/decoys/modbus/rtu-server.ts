/**
 * Modbus RTU adapter: owns a serial port, frames its bytes with the pure RTU framer, hands each
 * request to the same ModbusDevice (and so the same tag store) as Modbus/TCP, and records every
 * frame through the same recorder before any reply goes out.
 *
 * Serial-line rules (Modbus over Serial Line v1.02): only the device's own addresses are answered;
 * a broadcast (address 0) is executed and never answered (§2.2); a frame with a bad CRC is
 * dropped without reply (§2.4.1), and recorded as malformed.
 */
import { SerialPort } from 'serialport';
import type { Logger } from 'pino';
import { RtuFramer, encodeRtu, type RtuEvent } from './codec/rtu.js';
import { BROADCAST_ADDRESS, characterBits, interFrameGapMs, type Parity } from './codec/rtu-constants.js';
import type { ModbusDevice } from './device.js';
import { MAX_RAW_BYTES, newHitId, type Hit, type RequestFacts } from '../../core/hit.js';
import type { HitRecorder } from '../../gateway/recorder.js';

export interface SerialLine {
  /** Device path: /dev/ttyUSB0, /dev/ttyAMA0, /dev/serial/by-id/… */
  path: string;
  baudRate: number;
  parity: Parity;
  stopBits: 1 | 2;
}

export interface ModbusRtuOptions extends SerialLine {
  /**
   * Record frames for other addresses (default true): on a line of the decoy's own, anything
   * said on it is a hit. False for a bus shared with live devices, whose polling is not.
   */
  recordOtherAddresses?: boolean;
  /** How often to try reopening a port that went away (a USB adapter unplugged). */
  reopenMs?: number;
}

/** The serial port could not be opened: a wrong path, a missing adapter or no permission. */
export class SerialLineError extends Error {
  override name = 'SerialLineError';
}

/** How long after a reply is sent its echo may still arrive: USB adapters buffer up to 16 ms. */
const ECHO_GRACE_MS = 100;

/** Frames read ahead of the commit in progress before reading pauses. */
const MAX_BACKLOG_FRAMES = 64;

/**
 * A partial frame is dropped after the line stays quiet this long: USB adapters pause inside a
 * frame for their latency timer (16 ms by default on FTDI), never for this long.
 */
function expiryMs(gapMs: number): number {
  return Math.max(100, 10 * gapMs);
}

export class ModbusRtuServer {
  private readonly framer = new RtuFramer();
  private readonly units: ReadonlySet<number>;
  private readonly gapMs: number;
  private port: SerialPort | null = null;
  private gapTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private backlog: RtuEvent[] = [];
  private committing = false;
  private closed = false;
  /** Until when the decoy is talking (half duplex: one reply on the wire at a time). */
  private busyUntil = 0;
  /** The reply just sent, as a 2-wire RS-485 adapter with its receiver always on hears it back. */
  private echo: { bytes: Buffer; matched: number; until: number } | null = null;
  private readonly charMs: number;

  constructor(
    private readonly decoy: string,
    private readonly device: ModbusDevice,
    unitIds: readonly number[],
    private readonly recorder: HitRecorder,
    private readonly log: Logger,
    private readonly options: ModbusRtuOptions,
  ) {
    this.units = new Set(unitIds);
    this.gapMs = interFrameGapMs(options.baudRate, options.parity, options.stopBits);
    this.charMs = (characterBits(options.parity, options.stopBits) * 1000) / options.baudRate;
  }

  get path(): string {
    return this.options.path;
  }

  /** Opens the port; rejects with what went wrong if it cannot be opened now. */
  async open(): Promise<void> {
    const { path, baudRate, parity, stopBits } = this.options;
    const port = new SerialPort({ path, baudRate, parity, stopBits, dataBits: 8, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err
          ? reject(new SerialLineError(`cannot open serial port ${path} (${err.message.replace(/^Error: /, '')}): check the device path, that no other program holds it, and that this user may open it (group dialout)`))
          : resolve(),
      ),
    );
    if (this.closed) {
      port.close();
      return;
    }
    this.port = port;
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    port.on('error', (err) => this.log.warn({ err, serial: path }, 'serial port error'));
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.port === port) this.port = null;
      if (this.closed) return;
      this.log.warn({ serial: path, err }, 'serial port closed; reopening');
      this.scheduleReopen();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.gapTimer);
    clearTimeout(this.expiryTimer);
    clearTimeout(this.reopenTimer);
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private scheduleReopen(): void {
    this.reopenTimer = setTimeout(() => {
      if (this.closed) return;
      this.open().catch((err: unknown) => {
        this.log.debug({ err }, 'serial port still unavailable');
        this.scheduleReopen();
      });
    }, this.options.reopenMs ?? 5_000);
    this.reopenTimer.unref();
  }

  private receive(input: Buffer): void {
    const chunk = this.withoutEcho(input);
    if (chunk.length === 0) return;
    this.enqueue(this.framer.push(chunk));
    // The quiet that follows ends a frame only the CRC or the silence can end; a longer one
    // gives up on a frame cut short.
    clearTimeout(this.gapTimer);
    clearTimeout(this.expiryTimer);
    if (this.framer.buffered === 0) return;
    this.gapTimer = setTimeout(() => this.enqueue(this.framer.silence()), this.gapMs);
    this.expiryTimer = setTimeout(() => this.enqueue(this.framer.expire()), expiryMs(this.gapMs));
  }

  private enqueue(events: RtuEvent[]): void {
    if (events.length === 0) return;
    this.backlog.push(...events);
    if (this.backlog.length >= MAX_BACKLOG_FRAMES) this.port?.pause();
    if (!this.committing) this.answerBacklog();
  }

  /**
   * Requests are committed together (group commit) and answered in order, each reply only once
   * its hit is durable. A hit that cannot be committed gets no reply: the master sees a timeout.
   */
  private answerBacklog(): void {
    const events = this.backlog.splice(0, MAX_BACKLOG_FRAMES);
    const handled = events.map((event) => this.handle(event)).filter((h): h is Handled => h !== null);
    if (handled.length === 0) return this.resume();
    this.committing = true;
    Promise.all(handled.map((h) => this.recorder.record(h.hit))).then(
      () => {
        this.committing = false;
        const reply = handled.find((h) => h.reply)?.reply;
        if (reply) this.transmit(reply);
        this.resume();
      },
      (err: unknown) => {
        this.committing = false;
        this.log.error({ err }, 'could not record hit; not answering');
        this.resume();
      },
    );
  }

  /**
   * Half duplex, as a real slave: one reply on the wire at a time, and none while one is still
   * going out. Requests that arrive meanwhile are recorded, not answered (on a real bus they
   * would have collided). So a flood of short requests cannot queue long replies without bound,
   * nor keep the decoy talking on a shared bus long after the flood stops.
   */
  private transmit(reply: Buffer): void {
    const port = this.port;
    const now = Date.now();
    if (!port?.isOpen || now < this.busyUntil || port.writableLength > 0) {
      this.log.debug({ serial: this.options.path }, 'still replying: request recorded, not answered');
      return;
    }
    const airtimeMs = reply.length * this.charMs + this.gapMs;
    this.busyUntil = now + airtimeMs;
    // Its echo arrives while it is sent and shortly after (adapter and USB latency).
    this.echo = { bytes: reply, matched: 0, until: now + airtimeMs + ECHO_GRACE_MS };
    port.write(reply);
  }

  /**
   * Drops the decoy's own reply when the line plays it back: an FC 05/06/08 reply equals its
   * request, and a decoy answering its own echo would jam the bus and raise write alerts forever.
   */
  private withoutEcho(chunk: Buffer): Buffer {
    const echo = this.echo;
    if (!echo) return chunk;
    // Bytes held back as a possible echo come back if it turns out not to be one: the master's
    // next request may well begin like the reply (same address and function code).
    const held = echo.bytes.subarray(0, echo.matched);
    if (Date.now() > echo.until) {
      this.echo = null;
      return held.length ? Buffer.concat([held, chunk]) : chunk;
    }
    let i = 0;
    while (i < chunk.length && echo.matched < echo.bytes.length && chunk[i] === echo.bytes[echo.matched]) {
      i++;
      echo.matched++;
    }
    if (echo.matched === echo.bytes.length) {
      this.echo = null;
      return chunk.subarray(i);
    }
    if (i < chunk.length) {
      this.echo = null;
      return Buffer.concat([echo.bytes.subarray(0, echo.matched - i), chunk]);
    }
    return chunk.subarray(i);
  }

  private resume(): void {
    if (this.backlog.length > 0) return this.answerBacklog();
    if (this.port?.isPaused()) this.port.resume();
  }

  /** The hit for one framing event and the reply to send once it is committed; null to let it pass. */
  private handle(event: RtuEvent): Handled | null {
    const { raw } = event;
    const address = raw[0]!;
    const ours = this.units.has(address) || address === BROADCAST_ADDRESS;
    if (!ours && this.options.recordOtherAddresses === false) return null;
    if (event.kind === 'garbage') {
      return { hit: this.hit(raw, { ...NO_REQUEST, unitId: address, functionCode: raw[1] ?? null, outcome: 'malformed', detail: event.reason }), reply: null };
    }
    if (!ours) {
      return { hit: this.hit(raw, { ...NO_REQUEST, unitId: address, functionCode: event.pdu[0] ?? null, outcome: 'ignored', detail: `address ${address} is not this device's` }), reply: null };
    }
    const { reply, ...facts } = this.device.execute(address, event.pdu);
    if (address === BROADCAST_ADDRESS) {
      return { hit: this.hit(raw, { ...facts, detail: facts.detail ? `broadcast: ${facts.detail}` : 'broadcast' }), reply: null };
    }
    return { hit: this.hit(raw, facts), reply: reply ? encodeRtu(address, reply) : null };
  }

  private hit(raw: Buffer, facts: RequestFacts): Hit {
    return {
      id: newHitId(),
      at: new Date().toISOString(),
      decoy: this.decoy,
      protocol: 'modbus-rtu',
      // A serial line has no peer address: the line itself is the source.
      src: { ip: 'unknown', port: 0, serial: this.options.path },
      dstPort: 0,
      ...facts,
      raw: raw.subarray(0, MAX_RAW_BYTES).toString('hex'),
    };
  }
}

interface Handled {
  hit: Hit;
  reply: Buffer | null;
}

const NO_REQUEST: Omit<RequestFacts, 'unitId' | 'functionCode' | 'outcome' | 'detail'> = {
  address: null,
  quantity: null,
  values: null,
  exceptionCode: null,
  points: [],
};
