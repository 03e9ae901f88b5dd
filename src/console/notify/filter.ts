/**
 * Per-destination filters, applied when an event is queued: `severity>=high`, class words `red`,
 * `yellow` and `gateway` (silent/recovered/revoked gateways), comma-separated. Terms of one kind
 * widen (`red,yellow`), kinds narrow each other (`red,severity>=critical`). Pure.
 */
import { SEVERITIES, type Severity } from '../../core/incident.js';
import { isGatewayEvent, type IncidentEvent } from './event.js';

export type FilterClass = 'red' | 'yellow' | 'gateway';

export interface EventFilter {
  minSeverity: Severity | null;
  /** null: every class. */
  classes: ReadonlySet<FilterClass> | null;
}

const CLASSES: readonly FilterClass[] = ['red', 'yellow', 'gateway'];

/** Throws a RangeError that says which term is wrong and what is accepted. */
export function parseFilter(text: string): EventFilter {
  let minSeverity: Severity | null = null;
  const classes = new Set<FilterClass>();
  const terms = text.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  if (terms.length === 0) throw new RangeError('empty filter: use e.g. red, red,gateway or severity>=high');
  for (const term of terms) {
    const severity = /^severity\s*>=\s*([a-z]+)$/.exec(term);
    if (severity) {
      if (!SEVERITIES.includes(severity[1] as Severity)) throw new RangeError(`filter ${term}: severity is one of ${SEVERITIES.join(', ')}`);
      minSeverity = severity[1] as Severity;
    } else if ((CLASSES as readonly string[]).includes(term)) classes.add(term as FilterClass);
    else throw new RangeError(`filter term "${term}" unknown: use ${CLASSES.join(', ')} or severity>=${SEVERITIES.join('|')}`);
  }
  return { minSeverity, classes: classes.size > 0 ? classes : null };
}

export function formatFilter(filter: EventFilter): string {
  return [...(filter.classes ?? []), ...(filter.minSeverity ? [`severity>=${filter.minSeverity}`] : [])].join(',');
}

/** Whether a destination with this filter hears of the event. Whitelisted sources never do. */
export function passes(filter: EventFilter | null, event: IncidentEvent): boolean {
  if (event.incident.classification === 'whitelisted') return false;
  if (!filter) return true;
  if (filter.minSeverity !== null) {
    const rank = SEVERITIES.indexOf(event.incident.severity as Severity);
    if (rank < SEVERITIES.indexOf(filter.minSeverity)) return false;
  }
  if (filter.classes !== null) {
    const cls: string | null = isGatewayEvent(event) ? 'gateway' : event.incident.classification;
    if (cls === null || !filter.classes.has(cls as FilterClass)) return false;
  }
  return true;
}
