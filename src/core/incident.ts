/**
 * Intrusion incidents: hits from one source, with no gap longer than the quiet window between
 * them, are one incident, summarised with exact counts, the address ranges touched and every
 * written value (up to a cap, beyond which the number left out is kept). Pure: the gateway and
 * the console fold hits with the same code.
 */
import type { Hit, WrittenValue } from './hit.js';

export const QUIET_GAP_MS = 10 * 60_000;
export const MAX_WRITES_KEPT = 500;
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
  values: WrittenValue[];
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
}

const TABLE_OF_FC: Record<number, string> = {
  1: 'coils', 2: 'discreteInputs', 3: 'holdingRegisters', 4: 'inputRegisters',
  5: 'coils', 6: 'holdingRegisters', 15: 'coils', 16: 'holdingRegisters', 23: 'holdingRegisters',
};
const WRITE_FCS = new Set([5, 6, 15, 16, 23]);

const WRITE_SERVICES = new Set(['Write', 'Call']);
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

/** Counts one hit into a summary, in place. */
export function foldHit(summary: IncidentSummary, hit: Hit): void {
  summary.hitCount++;
  if (hit.at < summary.firstSeen) summary.firstSeen = hit.at;
  if (hit.at > summary.lastSeen) summary.lastSeen = hit.at;
  summary.severity = maxSeverity(summary.severity, severityOf(hit));
  const key = hit.service ?? (hit.functionCode === null ? hit.outcome : `FC${hit.functionCode}`);
  summary.counts[key] = (summary.counts[key] ?? 0) + 1;
  summary.outcomes[hit.outcome] = (summary.outcomes[hit.outcome] ?? 0) + 1;
  const table = hit.functionCode !== null ? TABLE_OF_FC[hit.functionCode] : undefined;
  if (table && hit.address !== null) addRange((summary.ranges[table] ??= []), hit.address, hit.address + Math.max(1, hit.quantity ?? 1) - 1);
  if (hit.values && isWrite(hit)) {
    if (summary.writes.length < MAX_WRITES_KEPT) summary.writes.push({ id: hit.id, at: hit.at, functionCode: hit.functionCode ?? 0, address: hit.address, values: hit.values, outcome: hit.outcome, ...(hit.service ? { service: hit.service, points: hit.points.slice(0, 8) } : {}) });
    else summary.writesOmitted++;
  }
  for (const point of hit.points) if (summary.points.length < MAX_POINTS && !summary.points.includes(point)) summary.points.push(point);
}

/**
 * Two views of one incident, each exact for what it has seen (the gateway's report, the hits
 * relayed so far), into the best lower bound of the truth: per-key maxima and unions. Merging is
 * idempotent and order-free, so a report or hit arriving twice or late changes nothing.
 */
export function mergeSummaries(a: IncidentSummary, b: IncidentSummary): IncidentSummary {
  const maxima = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = Math.max(out[k] ?? 0, v);
    return out;
  };
  const ranges: Record<string, [number, number][]> = {};
  for (const source of [a.ranges, b.ranges]) {
    for (const [table, list] of Object.entries(source)) for (const [first, last] of list) addRange((ranges[table] ??= []), first, last);
  }
  const writes = new Map<string, WriteRecord>();
  for (const w of [...a.writes, ...b.writes]) if (!writes.has(w.id)) writes.set(w.id, w);
  const sortedWrites = [...writes.values()].sort((x, y) => x.at.localeCompare(y.at) || x.id.localeCompare(y.id));
  const kept = sortedWrites.slice(0, MAX_WRITES_KEPT);
  const totalWrites = Math.max(a.writes.length + a.writesOmitted, b.writes.length + b.writesOmitted, sortedWrites.length);
  const points = [...new Set([...a.points, ...b.points])].slice(0, MAX_POINTS);
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
  };
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
