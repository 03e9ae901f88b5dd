/**
 * Where relayed hits enter the console, whichever channel carried them: each hit is validated
 * on its own, stored once (by id), counted, and announced if new.
 */
import type { Logger } from 'pino';
import { WireHit, WireIncidentReport } from '../relay/wire.js';
import type { IncidentReport } from '../core/incident-book.js';
import { logSafe } from '../core/text.js';
import type { Hit } from '../core/hit.js';
import type { ConsoleStore } from './store.js';
import type { ConsoleMetrics } from './metrics.js';
import type { IncidentTracker } from './incidents.js';

export interface AcceptDeps {
  store: ConsoleStore;
  metrics: ConsoleMetrics;
  log: Logger;
  onNewHits: (hits: Hit[], gatewayId: string, via: string) => void;
  incidents: IncidentTracker;
}

export interface Accepted {
  /** Stored now or before: the gateway may forget them. */
  acked: string[];
  /** Invalid: retrying cannot help. */
  rejected: string[];
  inserted: number;
  duplicates: number;
}

export function acceptHits(deps: AcceptDeps, gatewayId: string, items: readonly unknown[], via: string): Accepted {
  const valid = new Map<string, Hit>();
  const rejected: string[] = [];
  let invalid = 0;
  let firstIssue: string | undefined;
  for (const item of items) {
    const parsed = WireHit.safeParse(item);
    if (parsed.success) {
      // A repeated id in one batch is the same hit: the first copy stands.
      if (!valid.has(parsed.data.id)) valid.set(parsed.data.id, parsed.data as Hit);
      continue;
    }
    deps.metrics.rejected.inc({ reason: 'invalid_hit' });
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id.length <= 64) rejected.push(id);
    firstIssue ??= `${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`;
    invalid++;
  }
  // One line per batch, whatever it held: a hostile gateway cannot flood the log.
  if (invalid > 0) deps.log.error({ gateway: gatewayId, via, invalid, firstIssue: logSafe(firstIssue ?? '') }, 'invalid hits from authenticated gateway');
  const { inserted, duplicates, fresh } = deps.store.transaction(() => {
    const result = deps.store.insertHits(gatewayId, [...valid.values()], via);
    const isNew = new Set(result.inserted);
    const fresh = [...valid.values()].filter((h) => isNew.has(h.id));
    // Incidents change in the same transaction as the hits they count: never one without the other.
    deps.incidents.onHits(gatewayId, fresh);
    return { ...result, fresh };
  });
  for (const hit of fresh) deps.metrics.hits.inc({ protocol: hit.protocol, outcome: hit.outcome, via });
  deps.metrics.duplicates.inc(duplicates.length);
  if (fresh.length > 0) deps.onNewHits(fresh, gatewayId, via);
  return { acked: [...inserted, ...duplicates], rejected, inserted: inserted.length, duplicates: duplicates.length };
}

/**
 * Incident summaries from a gateway. Returns the ids it may forget: stored ones, and invalid ones
 * (logged), since resending a report the console refuses cannot help.
 */
export function acceptReports(deps: AcceptDeps, gatewayId: string, items: readonly unknown[], via: string): string[] {
  // One report per incident per request, the newest: repeats would each rewrite the incident.
  const valid = new Map<string, IncidentReport>();
  const settled: string[] = [];
  let firstIssue: string | undefined;
  for (const item of items) {
    const parsed = WireIncidentReport.safeParse(item);
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id.length <= 64) settled.push(id);
    if (parsed.success) {
      const held = valid.get(parsed.data.id);
      if (!held || held.version < parsed.data.version) valid.set(parsed.data.id, parsed.data as IncidentReport);
    }
    else {
      deps.metrics.rejected.inc({ reason: 'invalid_report' });
      firstIssue ??= `${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`;
    }
  }
  if (firstIssue !== undefined) deps.log.error({ gateway: gatewayId, via, firstIssue: logSafe(firstIssue) }, 'invalid incident reports from authenticated gateway');
  deps.store.transaction(() => deps.incidents.onReports(gatewayId, [...valid.values()]));
  deps.metrics.reports.inc({ via }, valid.size);
  return settled;
}
