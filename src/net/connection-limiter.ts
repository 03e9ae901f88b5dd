/**
 * Admission for TCP listeners: a cap in total and per source address, so one peer cannot take
 * every slot. When every slot is taken, the connection idle the longest (at least `minIdleMs`)
 * is dropped to admit the newcomer, as PLCs with few slots do: sockets opened only to hold slots
 * cannot lock a real client out. Each admitted socket frees its slot when it closes.
 */
import type net from 'node:net';

interface Slot {
  source: string;
  lastActive: number;
}

export class ConnectionLimiter {
  private readonly open = new Map<net.Socket, Slot>();
  private readonly perSource = new Map<string, number>();
  /** Connections dropped to make room, for status and tests. */
  evicted = 0;

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerSource: number,
    private readonly minIdleMs = 2_000,
    private readonly now = Date.now,
  ) {}

  get size(): number {
    return this.open.size;
  }

  countFrom(source: string): number {
    return this.perSource.get(source) ?? 0;
  }

  /** Admits the socket (true) or leaves it to the caller to refuse (false). */
  admit(socket: net.Socket, source: string): boolean {
    if (this.countFrom(source) >= this.maxPerSource) return false;
    if (this.open.size >= this.maxTotal && !this.evictIdlest()) return false;
    this.open.set(socket, { source, lastActive: this.now() });
    this.perSource.set(source, this.countFrom(source) + 1);
    socket.once('close', () => this.release(socket));
    return true;
  }

  /** The socket did something useful (a complete request): it is not a slot-holder. */
  touch(socket: net.Socket): void {
    const slot = this.open.get(socket);
    if (slot) slot.lastActive = this.now();
  }

  destroyAll(): void {
    for (const socket of this.open.keys()) socket.destroy();
  }

  private evictIdlest(): boolean {
    let victim: net.Socket | undefined;
    let oldest = this.now() - this.minIdleMs;
    for (const [socket, slot] of this.open) {
      if (slot.lastActive <= oldest) {
        oldest = slot.lastActive;
        victim = socket;
      }
    }
    if (!victim) return false;
    this.release(victim);
    victim.destroy();
    this.evicted++;
    return true;
  }

  /** Frees the slot at once (a destroyed socket reports 'close' later); safe to call twice. */
  private release(socket: net.Socket): void {
    const slot = this.open.get(socket);
    if (!slot) return;
    this.open.delete(socket);
    const n = this.countFrom(slot.source) - 1;
    if (n <= 0) this.perSource.delete(slot.source);
    else this.perSource.set(slot.source, n);
  }
}
