/**
 * Intrusion incidents: hits from one source against one gateway, with no gap longer than the
 * quiet window between them, are one incident, with exact counts, the address ranges touched and
 * every written value (up to a cap, beyond which the number left out is kept).
 */
import type { Hit } from '../core/hit.js';
import type { ConsoleStore, IncidentRecord } from './store.js';

export const QUIET_GAP_MS = 10 * 60_000;
const MAX_WRITES_KEPT = 500;
const MAX_RANGES = 64;
const MAX_POINTS = 200;

const SEVERITY = ['low', 'medium', 'high', 'critical'] as const;
type Severity = (typeof SEVERITY)[number];

export interface IntrusionDetail {
  /** Requests by function code (`FC3`), and `malformed` / `refused`. */
  counts: Record<string, number>;
  outcomes: Record<string, number>;
  /** Per Modbus table, merged [first, last] address ranges. */
  ranges: Record<string, [number, number][]>;
  writes: { at: string; functionCode: number; address: number | null; values: (number | boolean)[]; outcome: string }[];
  writesOmitted: number;
  points: string[];
}

const TABLE_OF_FC: Record<number, string> = { 1: 'coils', 2: 'discreteInputs', 3: 'holdingRegisters', 4: 'inputRegisters', 5: 'coils', 6: 'holdingRegisters', 15: 'coils', 16: 'holdingRegisters' };
const WRITE_FCS = new Set([5, 6, 15, 16]);

/** Writes that took effect are critical; refused writes high; data reads medium; probes low. */
export function severityOf(hit: Hit): Severity {
  if (hit.functionCode !== null && WRITE_FCS.has(hit.functionCode)) return hit.outcome === 'ok' ? 'critical' : 'high';
  if (hit.functionCode !== null && hit.functionCode >= 1 && hit.functionCode <= 4 && hit.outcome === 'ok') return 'medium';
  return 'low';
}

export class IncidentTracker {
  constructor(private readonly store: ConsoleStore, private readonly quietGapMs = QUIET_GAP_MS) {}

  /** Folds new hits into incidents; call inside the transaction that stored them. */
  onHits(gatewayId: string, hits: readonly Hit[]): void {
    for (const hit of [...hits].sort((a, b) => a.at.localeCompare(b.at))) this.add(gatewayId, hit);
  }

  private add(gatewayId: string, hit: Hit): void {
    const open = this.store.openIncidentFor('intrusion', gatewayId, hit.src.ip);
    if (open && Date.parse(hit.at) - Date.parse(open.lastSeen) <= this.quietGapMs) {
      this.update(open, hit);
      return;
    }
    if (open) this.store.clearIncident(open.id, open.lastSeen);
    const detail: IntrusionDetail = { counts: {}, outcomes: {}, ranges: {}, writes: [], writesOmitted: 0, points: [] };
    fold(detail, hit);
    this.store.openIncident({ kind: 'intrusion', gatewayId, decoy: hit.decoy, srcIp: hit.src.ip, severity: severityOf(hit), firstSeen: hit.at, lastSeen: hit.at, hitCount: 1, detail });
  }

  private update(incident: IncidentRecord, hit: Hit): void {
    const detail = incident.detail as IntrusionDetail;
    fold(detail, hit);
    const severity = SEVERITY[Math.max(SEVERITY.indexOf(incident.severity as Severity), SEVERITY.indexOf(severityOf(hit)))]!;
    const lastSeen = hit.at > incident.lastSeen ? hit.at : incident.lastSeen;
    this.store.updateIncident(incident.id, { severity, lastSeen, hitCount: incident.hitCount + 1, detail });
  }
}

function fold(detail: IntrusionDetail, hit: Hit): void {
  const key = hit.functionCode === null ? hit.outcome : `FC${hit.functionCode}`;
  detail.counts[key] = (detail.counts[key] ?? 0) + 1;
  detail.outcomes[hit.outcome] = (detail.outcomes[hit.outcome] ?? 0) + 1;
  const table = hit.functionCode !== null ? TABLE_OF_FC[hit.functionCode] : undefined;
  if (table && hit.address !== null) addRange((detail.ranges[table] ??= []), hit.address, hit.address + Math.max(1, hit.quantity ?? 1) - 1);
  if (hit.values && hit.functionCode !== null) {
    if (detail.writes.length < MAX_WRITES_KEPT) detail.writes.push({ at: hit.at, functionCode: hit.functionCode, address: hit.address, values: hit.values, outcome: hit.outcome });
    else detail.writesOmitted++;
  }
  for (const point of hit.points) if (detail.points.length < MAX_POINTS && !detail.points.includes(point)) detail.points.push(point);
}

/** Inserts [first, last] into sorted disjoint ranges, merging neighbours; caps the count. */
export function addRange(ranges: [number, number][], first: number, last: number): void {
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
