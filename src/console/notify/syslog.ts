/**
 * Syslog to a SIEM: RFC 5424 with CEF. `udp://host:port` (one datagram per event) or
 * `tcp://host:port` (RFC 6587 octet counting, one connection kept open).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { hostname } from 'node:os';
import { formatCef } from './cef.js';
import type { Destination } from './notifier.js';
import type { IncidentEvent } from './event.js';

export class SyslogDestination implements Destination {
  readonly name: string;
  private readonly transport: 'udp' | 'tcp';
  private readonly host: string;
  private readonly port: number;
  private udp: dgram.Socket | null = null;
  private tcp: net.Socket | null = null;

  constructor(url: string, private readonly version: string, private readonly source = hostname()) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'udp:' && parsed.protocol !== 'tcp:') throw new RangeError(`syslog destination must be udp://HOST:PORT or tcp://HOST:PORT, not ${url}`);
    this.transport = parsed.protocol === 'udp:' ? 'udp' : 'tcp';
    this.host = parsed.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(parsed.port || 514);
    this.name = `syslog:${url}`;
  }

  async send(event: IncidentEvent): Promise<void> {
    const line = Buffer.from(formatCef(event, this.source, this.version), 'utf8');
    if (this.transport === 'udp') {
      this.udp ??= dgram.createSocket(net.isIPv6(this.host) ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => this.udp!.send(line, this.port, this.host, (err) => (err ? reject(err) : resolve())));
      return;
    }
    const socket = await this.connection();
    await new Promise<void>((resolve, reject) => socket.write(Buffer.concat([Buffer.from(`${line.length} `), line]), (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    this.udp?.close();
    this.tcp?.destroy();
  }

  private connection(): Promise<net.Socket> {
    if (this.tcp && !this.tcp.destroyed && !this.tcp.connecting) return Promise.resolve(this.tcp);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      socket.setTimeout(10_000, () => socket.destroy(new Error('syslog connection timed out')));
      socket.once('connect', () => {
        socket.setTimeout(0);
        this.tcp = socket;
        resolve(socket);
      });
      socket.once('error', (err) => {
        if (this.tcp === socket) this.tcp = null;
        reject(err);
      });
      socket.on('close', () => {
        if (this.tcp === socket) this.tcp = null;
      });
    });
  }
}
