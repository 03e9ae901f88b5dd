/** Prometheus metrics, one registry per console so several can run in one process (tests). */
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export const REJECT_REASONS = ['missing_credentials', 'unknown_gateway', 'revoked_gateway', 'bad_signature', 'malformed_batch', 'invalid_hit', 'invalid_report', 'forged_name', 'replayed_name'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export class ConsoleMetrics {
  readonly registry = new Registry();
  readonly hits = new Counter({ name: 'tripline_hits_total', help: 'New hits stored, by protocol and outcome', labelNames: ['protocol', 'outcome', 'via'] as const, registers: [this.registry] });
  readonly reports = new Counter({ name: 'tripline_incident_reports_total', help: 'Incident summaries received from gateways', labelNames: ['via'] as const, registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'tripline_duplicate_hits_total', help: 'Hits received again after a lost acknowledgement and ignored', registers: [this.registry] });
  readonly dnsQueries = new Counter({ name: 'tripline_dns_queries_total', help: 'DNS queries answered, by kind (apex, data, partial, unknown, refused, formerr, notimp)', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly rejected = new Counter({ name: 'tripline_rejected_total', help: 'Rejected ingest requests (or hits), by reason', labelNames: ['reason'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tripline_console_' });
    for (const reason of REJECT_REASONS) this.rejected.inc({ reason }, 0);
  }
}
