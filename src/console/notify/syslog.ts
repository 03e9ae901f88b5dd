/**
 * Syslog to a SIEM: RFC 5424 with CEF. `udp://host:port` (one datagram per event),
 * `tcp://host:port` (RFC 6587 octet counting, one connection kept open) or `tls://host:port`
 * (RFC 5425: the same octet-counted frames over TLS, default port 6514; the collector's
 * certificate is always verified, against the system CAs or the spec's `?ca=FILE`).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { formatCef } from './cef.js';
import { DeliveryError, isCertificateError, type Destination } from './notifier.js';
import type { IncidentEvent } from './event.js';
import type { EventFilter } from './filter.js';
import { parseDestinationSpec, type DestinationSpec } from './spec.js';

type SyslogSpec = Extract<DestinationSpec, { kind: 'syslog' }>;

const CONNECT_TIMEOUT_MS = 10_000;

export class SyslogDestination implements Destination {
  readonly name: string;
  readonly display: string;
  readonly filter: EventFilter | null;
  private readonly spec: SyslogSpec;
  private readonly ca: Buffer | undefined;
  private udp: dgram.Socket | null = null;
  private stream: net.Socket | null = null;

  /** `spec` as parsed from `--notify`, or a bare udp://, tcp:// or tls:// URL. */
  constructor(spec: SyslogSpec | string, private readonly version: string, private readonly source = hostname()) {
    const parsed = typeof spec === 'string' ? parseDestinationSpec(spec) : spec;
    if (parsed.kind !== 'syslog') throw new RangeError('syslog destination must be udp://, tcp:// or tls://HOST:PORT');
    this.spec = parsed;
    this.name = parsed.key;
    this.display = parsed.display;
    this.filter = parsed.filter;
    this.ca = parsed.caFile ? readCa(parsed.caFile) : undefined;
  }

  async send(event: IncidentEvent): Promise<void> {
    const line = Buffer.from(formatCef(event, this.source, this.version), 'utf8');
    const { host, port } = this.spec;
    if (this.spec.transport === 'udp') {
      this.udp ??= dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => this.udp!.send(line, port, host, (err) => (err ? reject(err) : resolve())));
      return;
    }
    const socket = await this.connection();
    // RFC 6587 section 3.4.1 / RFC 5425 section 4.3: MSG-LEN SP SYSLOG-MSG.
    await new Promise<void>((resolve, reject) => socket.write(Buffer.concat([Buffer.from(`${line.length} `), line]), (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    this.udp?.close();
    this.stream?.destroy();
  }

  private connection(): Promise<net.Socket> {
    if (this.stream && !this.stream.destroyed && !this.stream.connecting) return Promise.resolve(this.stream);
    const { host, port } = this.spec;
    return new Promise((resolve, reject) => {
      const tlsMode = this.spec.transport === 'tls';
      const socket = tlsMode
        ? tls.connect({ host, port, ca: this.ca, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: true })
        : net.connect({ host, port });
      socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`${this.display}: connection timed out`)));
      socket.once(tlsMode ? 'secureConnect' : 'connect', () => {
        socket.setTimeout(0);
        this.stream = socket;
        resolve(socket);
      });
      socket.on('error', (err) => {
        if (this.stream === socket) this.stream = null;
        reject(new DeliveryError(`${this.display}: ${(err as NodeJS.ErrnoException).code ?? err.message}${isCertificateError(err) ? ' (is the collector\'s CA given with ?ca=FILE?)' : ''}`, isCertificateError(err)));
      });
      // A collector that talks back is not RFC 5425; reading keeps the socket from stalling.
      socket.on('data', () => {});
      socket.on('close', () => {
        if (this.stream === socket) this.stream = null;
      });
    });
  }
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new RangeError(`syslog ca=${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}: give the PEM file of the CA that signed the collector's certificate`);
  }
}
