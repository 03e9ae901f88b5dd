/**
 * Intrusion incidents at the console. A gateway names each incident and reports its exact
 * summary (over DNS, paced); its hits follow with the incident's id (over HTTP when it works).
 * The console keeps both views and shows their merge, so counts are exact as soon as either the
 * latest report or every hit has arrived, and never count a hit twice.
 *
 * Hits without an incident id are grouped here instead: one source against one gateway, split
 * by a quiet gap.
 */
import type { Hit } from '../core/hit.js';
import { continues, emptySummary, foldHit, MAX_WRITES_KEPT, mergeSummaries, QUIET_GAP_MS, unionWrites, type IncidentSummary, type WriteRecord } from '../core/incident.js';
import type { IncidentReport } from '../core/incident-book.js';
import type { ConsoleStore, IncidentRecord } from './store.js';
import { classify, type Whitelist } from '../core/classify.js';
import { SEVERITIES, type Severity } from '../core/incident.js';
import type { IncidentEvent } from './notify/event.js';
import { randomUUID } from 'node:crypto';
import { techniquesOf } from '../core/attack.js';

/** What an incident shows besides its headline fields: the summary, its class and techniques. */
export type IntrusionDetail = Omit<IncidentSummary, 'firstSeen' | 'lastSeen' | 'hitCount' | 'severity'> & {
  classification?: string;
  techniques?: { id: string; name: string }[];
};

export class IncidentTracker {
  constructor(
    private readonly store: ConsoleStore,
    private readonly quietGapMs = QUIET_GAP_MS,
    private readonly whitelist?: Pick<Whitelist, 'has'>,
    /** Called inside the incident's transaction when it opens or escalates (never for whitelisted sources). */
    private readonly onEvent?: (event: IncidentEvent) => void,
  ) {}

  /** Opened, or risen in severity or to red: the SOC hears of it; anything else stays quiet. */
  private announce(before: { severity: string; detail: object } | undefined, after: { id: number; gatewayId: string; decoy: string | null; srcIp: string | null; severity: string; firstSeen: string; lastSeen: string; hitCount: number; detail: IntrusionDetail }): void {
    if (!this.onEvent || after.detail.classification === 'whitelisted') return;
    let type: IncidentEvent['type'] | null = null;
    if (!before) type = 'incident.opened';
    else {
      const was = before.detail as IntrusionDetail;
      if (SEVERITIES.indexOf(after.severity as Severity) > SEVERITIES.indexOf(before.severity as Severity) || (after.detail.classification === 'red' && was.classification !== 'red')) type = 'incident.escalated';
    }
    if (!type) return;
    if (type === 'incident.escalated') this.store.reopenIfResolved(after.id);
    const d = after.detail;
    this.onEvent({
      id: randomUUID(),
      type,
      at: new Date().toISOString(),
      incident: {
        id: after.id, kind: 'intrusion', gatewayId: after.gatewayId, gatewayName: this.store.gateway(after.gatewayId)?.name ?? null, decoy: after.decoy, src: after.srcIp,
        severity: after.severity, classification: d.classification ?? null, techniques: (d.techniques ?? []).map((t) => t.id),
        firstSeen: after.firstSeen, lastSeen: after.lastSeen, hitCount: after.hitCount, counts: d.counts,
        writes: d.writes.slice(0, 20).map((w) => `${w.service ?? `FC${w.functionCode}`}${w.address !== null ? `@${w.address}` : ''}=${w.values.map(String).join(',')}`),
        users: d.users ?? [],
      },
    });
  }

  /** The summary as the console shows it: with its class and ATT&CK for ICS techniques. */
  private describe(summary: IncidentSummary, srcIp: string): { severity: IncidentSummary['severity']; firstSeen: string; lastSeen: string; hitCount: number; detail: IntrusionDetail } {
    const { firstSeen, lastSeen, hitCount, severity, ...rest } = summary;
    const detail: IntrusionDetail = { ...rest, classification: classify(summary, this.whitelist?.has(srcIp) ?? false), techniques: techniquesOf(summary) };
    return { severity, firstSeen, lastSeen, hitCount, detail };
  }

  /** Folds new hits into incidents; call inside the transaction that stored them. */
  onHits(gatewayId: string, hits: readonly Hit[]): void {
    const byRef = new Map<string, Hit[]>();
    const loose: Hit[] = [];
    for (const hit of hits) {
      if (hit.incident) (byRef.get(hit.incident) ?? byRef.set(hit.incident, []).get(hit.incident)!).push(hit);
      else loose.push(hit);
    }
    for (const [ref, group] of byRef) this.addToRef(gatewayId, ref, group);
    for (const hit of [...loose].sort((a, b) => a.at.localeCompare(b.at))) this.addLoose(gatewayId, hit);
  }

  /** Takes gateway summaries; a version older than the one held changes nothing. */
  onReports(gatewayId: string, reports: readonly IncidentReport[]): void {
    for (const report of reports) {
      const existing = this.store.incidentByRef(gatewayId, report.id);
      if (existing && existing.reportVersion >= report.version) {
        // An older or repeated report may still carry written values the console lacks.
        if (existing.report && report.writes.some((w) => !existing.report!.writes.some((x) => x.id === w.id))) {
          const held = existing.report;
          const writes = keptWrites(held.writes, report.writes);
          const total = Math.max(held.writes.length + held.writesOmitted, writes.length);
          this.save(gatewayId, report.id, existing, { ...held, writes, writesOmitted: total - writes.length }, existing.reportVersion, existing.fromHits, report);
        }
        continue;
      }
      const { id: _id, version, decoy: _decoy, srcIp: _src, writeCount, writes, ...summary } = report;
      const allWrites = keptWrites(existing?.report?.writes ?? [], writes);
      const reported: IncidentSummary = { ...summary, writes: allWrites, writesOmitted: Math.max(0, writeCount - allWrites.length) };
      this.save(gatewayId, report.id, existing, reported, version, existing?.fromHits ?? null, report);
    }
  }

  private addToRef(gatewayId: string, ref: string, hits: readonly Hit[]): void {
    const existing = this.store.incidentByRef(gatewayId, ref);
    const fromHits = existing?.fromHits ?? emptySummary(hits[0]!.at);
    for (const hit of hits) foldHit(fromHits, hit);
    this.save(gatewayId, ref, existing, existing?.report ?? null, existing?.reportVersion ?? 0, fromHits, { decoy: hits[0]!.decoy, srcIp: hits[0]!.src.ip });
  }

  private save(
    gatewayId: string,
    ref: string,
    existing: IncidentRecord | undefined,
    report: IncidentSummary | null,
    reportVersion: number,
    fromHits: IncidentSummary | null,
    origin: { decoy: string; srcIp: string },
  ): void {
    const merged = report && fromHits ? mergeSummaries(report, fromHits) : (report ?? fromHits)!;
    const decoy = existing?.decoy ?? origin.decoy;
    const srcIp = existing?.srcIp ?? origin.srcIp;
    const { firstSeen, lastSeen, hitCount, severity, detail } = this.describe(merged, srcIp);
    this.store.saveRefIncident({ kind: 'intrusion', gatewayId, decoy, srcIp, severity, firstSeen, lastSeen, hitCount, detail, ref, report, reportVersion, fromHits });
    if (!existing) this.store.clearOtherIntrusions(gatewayId, srcIp, ref, firstSeen);
    if (this.onEvent) {
      const id = existing?.id ?? this.store.incidentByRef(gatewayId, ref)!.id;
      this.announce(existing, { id, gatewayId, decoy, srcIp, severity, firstSeen, lastSeen, hitCount, detail });
    }
  }

  private addLoose(gatewayId: string, hit: Hit): void {
    const open = this.store.openIncidentFor('intrusion', gatewayId, hit.src.ip);
    if (open && open.ref === null && continues(open.lastSeen, hit, this.quietGapMs)) {
      const { classification: _c, techniques: _t, ...held } = open.detail as IntrusionDetail;
      const summary: IncidentSummary = { ...held, firstSeen: open.firstSeen, lastSeen: open.lastSeen, hitCount: open.hitCount, severity: open.severity as IncidentSummary['severity'] };
      foldHit(summary, hit);
      const { lastSeen, hitCount, severity, detail } = this.describe(summary, hit.src.ip);
      this.store.updateIncident(open.id, { severity, lastSeen, hitCount, detail });
      this.announce(open, { id: open.id, gatewayId, decoy: open.decoy, srcIp: open.srcIp, severity, firstSeen: open.firstSeen, lastSeen, hitCount, detail });
      return;
    }
    if (open) this.store.clearIncident(open.id, open.lastSeen);
    const summary = emptySummary(hit.at);
    foldHit(summary, hit);
    const { firstSeen, lastSeen, hitCount, severity, detail } = this.describe(summary, hit.src.ip);
    const id = this.store.openIncident({ kind: 'intrusion', gatewayId, decoy: hit.decoy, srcIp: hit.src.ip, severity, firstSeen, lastSeen, hitCount, detail });
    this.announce(undefined, { id, gatewayId, decoy: hit.decoy, srcIp: hit.src.ip, severity, firstSeen, lastSeen, hitCount, detail });
  }
}

/** The union the console keeps: capped like a summary's writes. */
function keptWrites(a: readonly WriteRecord[], b: readonly WriteRecord[]): WriteRecord[] {
  return unionWrites(a, b).slice(0, MAX_WRITES_KEPT);
}
