/**
 * When the gateway reports an incident's summary: the first hit at once, any rise in severity at
 * once, otherwise at a pace that slows as the incident ages. So a sweep of any length costs a few
 * dozen DNS queries, while a fresh incident is updated within seconds. Pure; the clock is passed in.
 */
import { SEVERITIES, type Severity } from './incident.js';

export interface ReportPace {
  /** Shortest gap between two reports of one incident. */
  minIntervalMs: number;
  /** Longest gap, however old the incident. */
  maxIntervalMs: number;
  /** The gap grows to this fraction of the time since the first report. */
  ageFraction: number;
}

export const DEFAULT_REPORT_PACE: ReportPace = { minIntervalMs: 5_000, maxIntervalMs: 5 * 60_000, ageFraction: 0.25 };

export interface ReportState {
  /** Changes since the last acknowledged report. */
  unsent: boolean;
  firstSentAt: number | null;
  lastSentAt: number | null;
  sentSeverity: Severity | null;
  severity: Severity;
}

/** When the next report is due (ms since the epoch), or null if nothing is left to send. */
export function reportDueAt(state: ReportState, pace: ReportPace = DEFAULT_REPORT_PACE): number | null {
  if (!state.unsent) return null;
  if (state.lastSentAt === null || state.firstSentAt === null || state.sentSeverity === null) return 0;
  if (SEVERITIES.indexOf(state.severity) > SEVERITIES.indexOf(state.sentSeverity)) return 0;
  const age = state.lastSentAt - state.firstSentAt;
  const gap = Math.min(pace.maxIntervalMs, Math.max(pace.minIntervalMs, age * pace.ageFraction));
  return state.lastSentAt + gap;
}
