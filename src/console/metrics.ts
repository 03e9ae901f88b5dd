/** Prometheus metrics, one registry per console so several can run in one process (tests). */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DestinationStatus } from './notify/notifier.js';

export const REJECT_REASONS = ['missing_credentials', 'unknown_gateway', 'revoked_gateway', 'bad_signature', 'malformed_batch', 'invalid_hit', 'invalid_report', 'forged_name', 'replayed_name', 'stale_heartbeat'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export class ConsoleMetrics {
  readonly registry = new Registry();
  readonly hits = new Counter({ name: 'tripline_hits_total', help: 'New hits stored, by protocol and outcome', labelNames: ['protocol', 'outcome', 'via'] as const, registers: [this.registry] });
  readonly reports = new Counter({ name: 'tripline_incident_reports_total', help: 'Incident summaries received from gateways', labelNames: ['via'] as const, registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'tripline_duplicate_hits_total', help: 'Hits received again after a lost acknowledgement and ignored', registers: [this.registry] });
  readonly dnsQueries = new Counter({ name: 'tripline_dns_queries_total', help: 'DNS queries answered, by kind (apex, data, partial, token, unknown, refused, formerr, notimp)', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly rejected = new Counter({ name: 'tripline_rejected_total', help: 'Rejected ingest requests (or hits), by reason', labelNames: ['reason'] as const, registers: [this.registry] });

  readonly denied = new Counter({ name: 'tripline_http_denied_total', help: 'Dashboard and API requests refused, by reason (network, credentials, csrf)', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly tokenHitsLimited = new Counter({ name: 'tripline_token_hits_limited_total', help: 'Canary token hits counted but not stored: over the per-source or overall storage budget', labelNames: ['channel'] as const, registers: [this.registry] });
  readonly tokenHits = new Counter({ name: 'tripline_token_hits_total', help: 'Canary token hits stored, by channel and whether they alerted', labelNames: ['channel', 'alerted'] as const, registers: [this.registry] });
  readonly incidents = new Counter({ name: 'tripline_incidents_total', help: 'Incidents opened or escalated, by event type and classification', labelNames: ['type', 'classification'] as const, registers: [this.registry] });
  private notificationSource: (() => DestinationStatus[]) | null = null;

  constructor() {
    const source = () => this.notificationSource?.() ?? [];
    new Gauge({ name: 'tripline_notification_queue_depth', help: 'Notifications waiting, by destination', labelNames: ['destination'] as const, registers: [this.registry], collect() {
      for (const s of source()) this.set({ destination: s.name }, s.pending);
    } });
    new Counter({ name: 'tripline_notifications_total', help: 'Notifications delivered, by destination', labelNames: ['destination'] as const, registers: [this.registry], collect() {
      this.reset();
      for (const s of source()) this.inc({ destination: s.name }, s.delivered);
    } });
    new Gauge({ name: 'tripline_notification_failing_seconds', help: 'How long a destination has been failing (0: delivering), by destination', labelNames: ['destination'] as const, registers: [this.registry], collect() {
      this.reset();
      for (const s of source()) this.set({ destination: s.name }, (s.failingForMs ?? 0) / 1000);
    } });
    collectDefaultMetrics({ register: this.registry, prefix: 'tripline_console_' });
    for (const reason of REJECT_REASONS) this.rejected.inc({ reason }, 0);
  }

  /** Where the notification gauges read from. */
  trackNotifications(source: () => DestinationStatus[]): void {
    this.notificationSource = source;
  }
}
