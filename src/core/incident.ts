/**
 * Intrusion incidents: hits from one source, with no gap longer than the quiet window between
 * them, are one incident, summarised with exact counts, the address ranges touched and every
 * written value (up to a cap, beyond which the number left out is kept). Pure: the gateway and
 * the console fold hits with the same code.
 */
import type { Hit, WrittenValue } from './hit.js';

export const QUIET_GAP_MS = 10 * 60_000;
/**
 * Written values an incident summary keeps whole: the first writes, each with its first values.
 * The hits themselves keep everything; the summary is rewritten at every commit that touches the
 * incident and travels over DNS, so it stays small whatever an attacker writes.
 */
export const MAX_WRITES_KEPT = 200;
export const MAX_VALUES_PER_WRITE = 8;
const MAX_VALUE_CHARS = 64;
/** Function codes counted by name; any other is `FCother`, so counts stay a short list. */
const COUNTED_FCS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 15, 16, 17, 20, 21, 22, 23, 24, 43]);
const MAX_RANGES = 64;
const MAX_POINTS = 200;

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface WriteRecord {
  /** The hit that wrote: writes from a summary and from relayed hits merge by it. */
  id: string;
  at: string;
  functionCode: number;
  address: number | null;
  /** The first MAX_VALUES_PER_WRITE values; `valueCount` says how many there were. */
  values: WrittenValue[];
  valueCount?: number;
  outcome: string;
  /** OPC UA: the service and the nodes written or called. */
  service?: string;
  points?: string[];
}

export interface IncidentSummary {
  firstSeen: string;
  lastSeen: string;
  hitCount: number;
  severity: Severity;
  /** Requests by function code (`FC3`), and `malformed` / `refused`. */
  counts: Record<string, number>;
  outcomes: Record<string, number>;
  /** Per Modbus table, merged [first, last] address ranges. */
  ranges: Record<string, [number, number][]>;
  writes: WriteRecord[];
  writesOmitted: number;
  points: string[];
  /** User names tried in logins (OPC UA ActivateSession), at most MAX_USERS. */
  users?: string[];
}

const MAX_USERS = 20;

const TABLE_OF_FC: Record<number, string> = {
  1: 'coils', 2: 'discreteInputs', 3: 'holdingRegisters', 4: 'inputRegisters',
  5: 'coils', 6: 'holdingRegisters', 15: 'coils', 16: 'holdingRegisters', 23: 'holdingRegisters',
};
const WRITE_FCS = new Set([5, 6, 15, 16, 23]);

const WRITE_SERVICES = new Set(['Write', 'Call']);
/** Count keys (see countKey) of requests that change the process, and of OPC UA browsing. */
export const WRITE_KEYS = [...[...WRITE_FCS].map((fc) => `FC${fc}`), ...WRITE_SERVICES];
export const BROWSE_KEYS = ['Browse', 'BrowseNext', 'TranslateBrowsePathsToNodeIds'];
/** Opening or reading a decoy file (a stamped firmware image or project backup): program upload. */
export const FILE_KEYS = ['FileOpen', 'FileRead'];
const DATA_SERVICES = new Set(['Read', 'Browse', 'BrowseNext', 'TranslateBrowsePathsToNodeIds', 'CreateSubscription', 'CreateMonitoredItems', 'HistoryRead']);

/** A request that changes (or tries to change) the process: a Modbus write, an OPC UA Write or Call. */
export function isWrite(hit: Hit): boolean {
  return (hit.functionCode !== null && WRITE_FCS.has(hit.functionCode)) || (hit.service !== undefined && WRITE_SERVICES.has(hit.service));
}

/**
 * Writes that took effect and logins with a planted credential are critical; refused writes and
 * failed logins high; data reads medium; probes low.
 */
export function severityOf(hit: Hit): Severity {
  if (hit.attributes?.credential === 'canary') return 'critical';
  if (isWrite(hit)) return hit.outcome === 'ok' ? 'critical' : 'high';
  if (hit.service === 'ActivateSession' && hit.outcome !== 'ok') return 'high';
  if (hit.service !== undefined && FILE_KEYS.includes(hit.service)) return 'high';
  if (hit.functionCode !== null && hit.functionCode >= 1 && hit.functionCode <= 4 && hit.outcome === 'ok') return 'medium';
  if (hit.service !== undefined && DATA_SERVICES.has(hit.service) && hit.outcome === 'ok') return 'medium';
  return 'low';
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES[Math.max(SEVERITIES.indexOf(a), SEVERITIES.indexOf(b))]!;
}

/** True when `hit` continues an incident last seen at `lastSeen` (ISO time). */
export function continues(lastSeen: string, hit: Hit, quietGapMs = QUIET_GAP_MS): boolean {
  return Date.parse(hit.at) - Date.parse(lastSeen) <= quietGapMs;
}

export function emptySummary(at: string): IncidentSummary {
  return { firstSeen: at, lastSeen: at, hitCount: 0, severity: 'low', counts: {}, outcomes: {}, ranges: {}, writes: [], writesOmitted: 0, points: [] };
}

const bump = (map: Record<string, number>, key: string) => {
  // Own keys only: a key such as "constructor" must count, not find Object's prototype.
  map[key] = (Object.hasOwn(map, key) ? map[key]! : 0) + 1;
};

export function countKey(hit: Hit): string {
  if (hit.service !== undefined) return hit.service;
  if (hit.functionCode === null) return hit.outcome;
  return COUNTED_FCS.has(hit.functionCode) ? `FC${hit.functionCode}` : 'FCother';
}

const keptValue = (v: WrittenValue): WrittenValue => (typeof v === 'string' ? v.slice(0, MAX_VALUE_CHARS) : v);

/** Counts one hit into a summary, in place. */
export function foldHit(summary: IncidentSummary, hit: Hit): void {
  summary.hitCount++;
  if (hit.at < summary.firstSeen) summary.firstSeen = hit.at;
  if (hit.at > summary.lastSeen) summary.lastSeen = hit.at;
  summary.severity = maxSeverity(summary.severity, severityOf(hit));
  bump(summary.counts, countKey(hit));
  bump(summary.outcomes, hit.outcome);
  const table = hit.functionCode !== null ? TABLE_OF_FC[hit.functionCode] : undefined;
  if (table && hit.address !== null) {
    if (!Object.hasOwn(summary.ranges, table)) summary.ranges[table] = [];
    addRange(summary.ranges[table]!, hit.address, hit.address + Math.max(1, hit.quantity ?? 1) - 1);
  }
  if (hit.values && isWrite(hit)) {
    if (summary.writes.length < MAX_WRITES_KEPT) {
      summary.writes.push({
        id: hit.id, at: hit.at, functionCode: hit.functionCode ?? 0, address: hit.address,
        values: hit.values.slice(0, MAX_VALUES_PER_WRITE).map(keptValue), valueCount: hit.values.length, outcome: hit.outcome,
        ...(hit.service ? { service: hit.service, points: hit.points.slice(0, 8) } : {}),
      });
    }
    else summary.writesOmitted++;
  }
  for (const point of hit.points) if (summary.points.length < MAX_POINTS && !summary.points.includes(point)) summary.points.push(point);
  const user = hit.attributes?.user;
  if (typeof user === 'string') {
    summary.users ??= [];
    if (summary.users.length < MAX_USERS && !summary.users.includes(user)) summary.users.push(user.slice(0, 64));
  }
}

/**
 * Two views of one incident, each exact for what it has seen (the gateway's report, the hits
 * relayed so far), into the best lower bound of the truth: per-key maxima and unions. Merging is
 * idempotent and order-free, so a report or hit arriving twice or late changes nothing.
 */
export function mergeSummaries(a: IncidentSummary, b: IncidentSummary): IncidentSummary {
  const maxima = (x: Record<string, number>, y: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const [k, v] of [...Object.entries(x), ...Object.entries(y)]) out[k] = Math.max(Object.hasOwn(out, k) ? out[k]! : 0, v);
    return out;
  };
  const ranges: Record<string, [number, number][]> = {};
  for (const source of [a.ranges, b.ranges]) {
    for (const [table, list] of Object.entries(source)) {
      if (!Object.hasOwn(ranges, table)) ranges[table] = [];
      for (const [first, last] of list) addRange(ranges[table]!, first, last);
    }
  }
  const sortedWrites = unionWrites(a.writes, b.writes);
  const kept = sortedWrites.slice(0, MAX_WRITES_KEPT);
  const totalWrites = Math.max(a.writes.length + a.writesOmitted, b.writes.length + b.writesOmitted, sortedWrites.length);
  const points = [...new Set([...a.points, ...b.points])].slice(0, MAX_POINTS);
  const users = [...new Set([...(a.users ?? []), ...(b.users ?? [])])].slice(0, MAX_USERS);
  return {
    firstSeen: a.firstSeen < b.firstSeen ? a.firstSeen : b.firstSeen,
    lastSeen: a.lastSeen > b.lastSeen ? a.lastSeen : b.lastSeen,
    hitCount: Math.max(a.hitCount, b.hitCount),
    severity: maxSeverity(a.severity, b.severity),
    counts: maxima(a.counts, b.counts),
    outcomes: maxima(a.outcomes, b.outcomes),
    ranges,
    writes: kept,
    writesOmitted: totalWrites - kept.length,
    points,
    ...(users.length > 0 ? { users } : {}),
  };
}

/** Written values from two views of an incident, each once (by hit id), oldest first. */
export function unionWrites(a: readonly WriteRecord[], b: readonly WriteRecord[]): WriteRecord[] {
  const byId = new Map<string, WriteRecord>();
  for (const w of [...a, ...b]) if (!byId.has(w.id)) byId.set(w.id, w);
  return [...byId.values()].sort((x, y) => x.at.localeCompare(y.at) || x.id.localeCompare(y.id));
}

/** Inserts [first, last] into sorted disjoint ranges, merging neighbours; caps the count. */
export function addRange(ranges: [number, number][], first: number, last: number): void {
  // A sweep mostly re-reads or extends what it touched: skip the sort when nothing changes.
  for (const r of ranges) if (r[0] <= first && last <= r[1]) return;
  ranges.push([first, last]);
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const top = merged[merged.length - 1];
    if (top && r[0] <= top[1] + 1) top[1] = Math.max(top[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  // Too fragmented: join the closest neighbours, keeping every address covered.
  while (merged.length > MAX_RANGES) {
    let best = 0;
    for (let i = 1; i < merged.length - 1; i++) if (merged[i + 1]![0] - merged[i]![1] < merged[best + 1]![0] - merged[best]![1]) best = i;
    merged[best]![1] = merged[best + 1]![1];
    merged.splice(best + 1, 1);
  }
  ranges.splice(0, ranges.length, ...merged);
}
