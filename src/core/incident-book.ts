/**
 * The gateway's open incidents: which incident each hit belongs to, the exact summary of each,
 * and which summaries the console has not yet acknowledged. Pure: the store persists what it
 * changes, in the transaction that records the hits.
 */
import type { Hit } from './hit.js';
import { continues, emptySummary, foldHit, QUIET_GAP_MS, type IncidentSummary, type Severity, type WriteRecord } from './incident.js';
import { DEFAULT_REPORT_PACE, reportDueAt, type ReportPace } from './report-policy.js';

export interface BookedIncident {
  id: string;
  srcIp: string;
  decoy: string;
  summary: IncidentSummary;
  /** Bumped once per commit that changed the summary. */
  version: number;
  /** The last version the console acknowledged. */
  sentVersion: number;
  /** Written values the console has acknowledged, counted from the start of `summary.writes`. */
  sentWrites: number;
  firstSentAt: number | null;
  lastSentAt: number | null;
  sentSeverity: Severity | null;
}

/**
 * What crosses to the console: the whole summary except written values, which travel as the
 * slice not yet acknowledged (a DNS message is small); `writeCount` says how many there are.
 */
export interface IncidentReport extends Omit<IncidentSummary, 'writes'> {
  id: string;
  version: number;
  decoy: string;
  srcIp: string;
  writes: WriteRecord[];
  writeCount: number;
}

/** Written values per report: keeps a report within a few DNS queries. */
export const WRITES_PER_REPORT = 8;

export class IncidentBook {
  private readonly latestBySource = new Map<string, BookedIncident>();
  private readonly byId = new Map<string, BookedIncident>();

  constructor(
    private readonly newId: () => string,
    private readonly quietGapMs = QUIET_GAP_MS,
    private readonly pace: ReportPace = DEFAULT_REPORT_PACE,
  ) {}

  /** Restores incidents from the store (oldest first). */
  load(incidents: readonly BookedIncident[]): void {
    this.latestBySource.clear();
    this.byId.clear();
    for (const incident of incidents) {
      this.byId.set(incident.id, incident);
      this.latestBySource.set(incident.srcIp, incident);
    }
  }

  /** Counts a hit into its source's incident, opening a new one after a quiet gap. */
  add(hit: Hit): BookedIncident {
    let incident = this.latestBySource.get(hit.src.ip);
    if (!incident || !continues(incident.summary.lastSeen, hit, this.quietGapMs)) {
      incident = { id: this.newId(), srcIp: hit.src.ip, decoy: hit.decoy, summary: emptySummary(hit.at), version: 0, sentVersion: 0, sentWrites: 0, firstSentAt: null, lastSentAt: null, sentSeverity: null };
      this.latestBySource.set(hit.src.ip, incident);
      this.byId.set(incident.id, incident);
    }
    foldHit(incident.summary, hit);
    return incident;
  }

  /** Reports due now, oldest incident first. */
  due(now: number, limit = 50): IncidentReport[] {
    const out: IncidentReport[] = [];
    for (const incident of this.byId.values()) {
      const at = reportDueAt(this.reportState(incident), this.pace);
      if (at === null || at > now) continue;
      out.push(this.report(incident));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** When the next report falls due, or null if every summary is acknowledged. */
  nextDueAt(): number | null {
    let next: number | null = null;
    for (const incident of this.byId.values()) {
      const at = reportDueAt(this.reportState(incident), this.pace);
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  /** The console stored these reports; returns the incidents changed, for the store to persist. */
  acknowledged(reports: readonly IncidentReport[], now: number): BookedIncident[] {
    const changed: BookedIncident[] = [];
    for (const report of reports) {
      const incident = this.byId.get(report.id);
      if (!incident) continue;
      incident.sentWrites = Math.max(incident.sentWrites, writesOffset(incident, report) + report.writes.length);
      if (incident.sentWrites >= incident.summary.writes.length) incident.sentVersion = Math.max(incident.sentVersion, report.version);
      incident.firstSentAt ??= now;
      incident.lastSentAt = now;
      incident.sentSeverity = report.severity;
      changed.push(incident);
    }
    return changed;
  }

  /** Forgets incidents that are acknowledged and past their quiet gap (the store keeps them). */
  prune(nowIso: string): void {
    for (const [id, incident] of this.byId) {
      if (incident.sentVersion < incident.version) continue;
      if (Date.parse(nowIso) - Date.parse(incident.summary.lastSeen) <= this.quietGapMs) continue;
      this.byId.delete(id);
      if (this.latestBySource.get(incident.srcIp) === incident) this.latestBySource.delete(incident.srcIp);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  private reportState(incident: BookedIncident) {
    return {
      unsent: incident.sentVersion < incident.version,
      firstSentAt: incident.firstSentAt,
      lastSentAt: incident.lastSentAt,
      sentSeverity: incident.sentSeverity,
      severity: incident.summary.severity,
    };
  }

  private report(incident: BookedIncident): IncidentReport {
    const { writes, ...rest } = incident.summary;
    return {
      ...structuredClone(rest),
      id: incident.id,
      version: incident.version,
      decoy: incident.decoy,
      srcIp: incident.srcIp,
      writes: writes.slice(incident.sentWrites, incident.sentWrites + WRITES_PER_REPORT),
      writeCount: writes.length + rest.writesOmitted,
    };
  }
}

function writesOffset(incident: BookedIncident, report: IncidentReport): number {
  const first = report.writes[0];
  if (!first) return incident.sentWrites;
  const index = incident.summary.writes.findIndex((w) => w.id === first.id);
  return index < 0 ? incident.sentWrites : index;
}
