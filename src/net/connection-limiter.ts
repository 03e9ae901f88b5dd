/**
 * Admission for TCP listeners: a cap in total and per source address, so one peer cannot take
 * every slot. Each admitted socket frees its slot when it closes.
 */
import type net from 'node:net';

export class ConnectionLimiter {
  private readonly open = new Set<net.Socket>();
  private readonly perSource = new Map<string, number>();

  constructor(private readonly maxTotal: number, private readonly maxPerSource: number) {}

  get size(): number {
    return this.open.size;
  }

  countFrom(source: string): number {
    return this.perSource.get(source) ?? 0;
  }

  /** Admits the socket (true) or leaves it to the caller to refuse (false). */
  admit(socket: net.Socket, source: string): boolean {
    const fromSource = this.countFrom(source);
    if (this.open.size >= this.maxTotal || fromSource >= this.maxPerSource) return false;
    this.open.add(socket);
    this.perSource.set(source, fromSource + 1);
    socket.once('close', () => {
      this.open.delete(socket);
      const n = this.countFrom(source) - 1;
      if (n <= 0) this.perSource.delete(source);
      else this.perSource.set(source, n);
    });
    return true;
  }

  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}
