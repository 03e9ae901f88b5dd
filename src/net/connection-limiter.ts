/**
 * Admission for TCP listeners: a cap in total and per source (IPv6 sources per /64, which one
 * host usually holds whole), so one peer cannot take every slot. When every slot is taken, a
 * connection that has held its slot for `holderIdleMs` without one complete request is dropped
 * to admit the newcomer, else one idle for `idleMs`: sockets opened only to hold slots cannot
 * lock a client out, and a client polling every few seconds is never the one dropped. Each
 * admitted socket frees its slot when it closes.
 */
import type net from 'node:net';

interface Slot {
  source: string;
  lastActive: number;
  requests: number;
}

export class ConnectionLimiter {
  private readonly open = new Map<net.Socket, Slot>();
  private readonly perSource = new Map<string, number>();
  /** Connections dropped to make room, for status and tests. */
  evicted = 0;

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerSource: number,
    private readonly holderIdleMs = 2_000,
    private readonly idleMs = 30_000,
    private readonly now = Date.now,
  ) {}

  get size(): number {
    return this.open.size;
  }

  countFrom(address: string): number {
    return this.perSource.get(sourceKey(address)) ?? 0;
  }

  /** Admits the socket (true) or leaves it to the caller to refuse (false). */
  admit(socket: net.Socket, address: string): boolean {
    const source = sourceKey(address);
    if ((this.perSource.get(source) ?? 0) >= this.maxPerSource) return false;
    if (this.open.size >= this.maxTotal && !this.evictOne()) return false;
    this.open.set(socket, { source, lastActive: this.now(), requests: 0 });
    this.perSource.set(source, (this.perSource.get(source) ?? 0) + 1);
    socket.once('close', () => this.release(socket));
    return true;
  }

  /** The socket sent a complete request: it is a client, not a slot-holder. */
  touch(socket: net.Socket): void {
    const slot = this.open.get(socket);
    if (!slot) return;
    slot.lastActive = this.now();
    slot.requests++;
  }

  destroyAll(): void {
    for (const socket of this.open.keys()) socket.destroy();
  }

  private evictOne(): boolean {
    const now = this.now();
    let victim: net.Socket | undefined;
    let best = Infinity;
    for (const [socket, slot] of this.open) {
      const idle = now - slot.lastActive;
      const eligible = slot.requests === 0 ? idle >= this.holderIdleMs : idle >= this.idleMs;
      // Slot-holders go first, then the longest idle.
      const rank = (slot.requests === 0 ? 0 : 1e12) - idle;
      if (eligible && rank < best) {
        best = rank;
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
    const n = (this.perSource.get(slot.source) ?? 0) - 1;
    if (n <= 0) this.perSource.delete(slot.source);
    else this.perSource.set(slot.source, n);
  }
}

/** IPv4 addresses as they are; IPv6 addresses by their /64 prefix. */
export function sourceKey(address: string): string {
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
