/**
 * Targeted or routine? An incident from one of the plant's own scanners is `whitelisted` (still
 * recorded, never notified). Otherwise it is `red` when it shows intent: a write or method call, a decoy file read,
 * a login, a planted credential, deep browsing, or polling that goes on; else `yellow`: the
 * untargeted scanning every exposed device sees (an identification read, a probe, a few reads).
 * Pure; the rules are documented in docs/attack-for-ics.md and unit-tested.
 */
import { BlockList, isIP } from 'node:net';
import { BROWSE_KEYS, FILE_KEYS, WRITE_KEYS, type IncidentSummary } from './incident.js';

export type Classification = 'whitelisted' | 'yellow' | 'red';

const READS = ['FC1', 'FC2', 'FC3', 'FC4', 'Read', 'CreateMonitoredItems'];

/** Browse calls beyond a client's first look at the address space. */
export const DEEP_BROWSE = 10;
/** Reads beyond a scanner's handful, spread over at least this long: someone is watching. */
export const POLLING_READS = 20;
export const POLLING_MS = 60_000;

export function classify(summary: Pick<IncidentSummary, 'counts' | 'users' | 'severity' | 'firstSeen' | 'lastSeen'>, whitelisted: boolean): Classification {
  if (whitelisted) return 'whitelisted';
  const count = (keys: string[]) => keys.reduce((n, k) => n + (Object.hasOwn(summary.counts, k) ? summary.counts[k]! : 0), 0);
  if (count(WRITE_KEYS) > 0) return 'red';
  // Only someone looking for the program opens the files under a controller's object tree.
  if (count(FILE_KEYS) > 0) return 'red';
  if ((summary.users ?? []).length > 0 || summary.severity === 'critical') return 'red';
  if (count(BROWSE_KEYS) >= DEEP_BROWSE) return 'red';
  const span = Date.parse(summary.lastSeen) - Date.parse(summary.firstSeen);
  if (count(READS) >= POLLING_READS && span >= POLLING_MS) return 'red';
  return 'yellow';
}

/** A matcher for the plant's own scanners, from CIDR strings (IPv4 and IPv6). */
export class Whitelist {
  // node's BlockList is a plain data structure (no sockets): subnet checks done right, v4 and v6.
  private readonly list = new BlockList();

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address = '', prefix] = cidr.trim().split('/');
      const family = isIP(address);
      if (family === 0) throw new RangeError(`not an IP network: ${cidr}`);
      // `10.0.0.0/` must not read as /0 (everything): the prefix is digits or absent.
      if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) throw new RangeError(`bad prefix length in ${cidr}`);
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw new RangeError(`bad prefix length in ${cidr}`);
      this.list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  has(address: string): boolean {
    const plain = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}
