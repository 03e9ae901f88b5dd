/**
 * One lookup of a token name reaches the console as several queries: a QNAME-minimising resolver
 * asks `<token>.<zone>` first and then longer names (RFC 9156), with random letter case (0x20);
 * stub resolvers ask A and AAAA; resolvers retry. Queries from one resolver for one token whose
 * names extend one another within a short window are one hit, reported once with the longest
 * name (the one carrying any generic data) and every query type seen.
 */
import type { TokenLookup } from './names.js';

export interface DnsLookup {
  token: string;
  src: string | null;
  /** First query's arrival. */
  at: string;
  /** The longest name, in lower case. */
  name: string;
  queryType: string;
  queryTypes: string[];
  queries: number;
  data?: string;
}

/** How long after its first query a lookup is reported: long enough for a resolver's walk. */
export const COALESCE_MS = 1_000;
/** Lookups held at once: beyond this the oldest is reported early (memory stays bounded). */
const MAX_PENDING = 10_000;
/**
 * Distinct lookups held per token and resolver. A flood of unrelated names under one token
 * (`a1.<token>`, `a2.<token>`, …) folds into the newest beyond this, so each query costs a
 * bounded scan however many names arrive.
 */
const MAX_PER_KEY = 16;

interface Pending {
  lookup: DnsLookup;
  timer: NodeJS.Timeout;
}

export class DnsTokenLookups {
  private readonly pending = new Map<string, Pending[]>();
  private size = 0;

  constructor(private readonly report: (lookup: DnsLookup) => void, private readonly windowMs = COALESCE_MS, private readonly now = Date.now) {}

  add(parsed: TokenLookup, qname: string, qtype: string, src: string | null): void {
    const key = `${parsed.token}|${src ?? ''}`;
    const name = qname.toLowerCase().replace(/\.$/, '');
    const list = this.pending.get(key) ?? [];
    const same = list.find((p) => extends_(p.lookup.name, name) || extends_(name, p.lookup.name)) ?? (list.length >= MAX_PER_KEY ? list.at(-1) : undefined);
    if (same) {
      const l = same.lookup;
      l.queries++;
      if (!l.queryTypes.includes(qtype) && l.queryTypes.length < 16) l.queryTypes.push(qtype);
      if (name.length > l.name.length && (extends_(name, l.name) || extends_(l.name, name))) {
        l.name = name;
        l.queryType = qtype;
        if (parsed.data !== undefined) l.data = parsed.data;
        else delete l.data;
      }
      return;
    }
    if (this.size >= MAX_PENDING) this.flushOldest();
    const lookup: DnsLookup = { token: parsed.token, src, at: new Date(this.now()).toISOString(), name, queryType: qtype, queryTypes: [qtype], queries: 1 };
    if (parsed.data !== undefined) lookup.data = parsed.data;
    const entry: Pending = { lookup, timer: setTimeout(() => this.flush(key, entry), this.windowMs) };
    entry.timer.unref();
    list.push(entry);
    this.pending.set(key, list);
    this.size++;
  }

  /** Reports everything held (at shutdown). */
  drain(): void {
    for (const [key, list] of [...this.pending]) for (const entry of [...list]) this.flush(key, entry);
  }

  private flush(key: string, entry: Pending): void {
    clearTimeout(entry.timer);
    const list = this.pending.get(key);
    const index = list?.indexOf(entry) ?? -1;
    if (!list || index < 0) return;
    list.splice(index, 1);
    if (list.length === 0) this.pending.delete(key);
    this.size--;
    this.report(entry.lookup);
  }

  private flushOldest(): void {
    // Map iteration is insertion order: the first key holds the oldest lookup.
    const first = this.pending.entries().next().value;
    if (first) this.flush(first[0], first[1][0]!);
  }
}

/** `longer` is `shorter` or a name below it. */
function extends_(longer: string, shorter: string): boolean {
  return longer === shorter || longer.endsWith(`.${shorter}`);
}
