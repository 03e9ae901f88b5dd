/**
 * The words every human-facing format shows (chat, email): a headline and labelled facts. Pure and
 * unescaped: each format escapes for its own markup. Control characters are made visible (`\n`),
 * so an attacker's written value cannot forge a line of its own in a message.
 */
import { isGatewayEvent, type IncidentEvent } from './event.js';

export interface Fact {
  label: string;
  value: string;
}

/**
 * `\n`, `\r`, NUL, ANSI escapes and other C0/C1 controls become visible escapes; `scheme://` is
 * defanged to `scheme[:]//` so a chat client or mail reader shows an attacker's URL, never links it.
 */
export function visible(text: string): string {
  return text.replace(/:\/\//g, '[:]//').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

const CLASS_WORD: Record<string, string> = { red: 'Targeted intrusion', yellow: 'Untargeted intrusion' };

export function gatewayLabel(event: IncidentEvent): string {
  return visible(event.incident.gatewayName ?? event.incident.gatewayId);
}

/** One line: what happened, where, how bad. */
export function headline(event: IncidentEvent): string {
  const i = event.incident;
  const gateway = gatewayLabel(event);
  switch (event.type) {
    case 'gateway.silent':
      return `Gateway ${gateway} silent: no heartbeat`;
    case 'gateway.recovered':
      return `Gateway ${gateway} heard again`;
    case 'gateway.revoked':
      return `Gateway ${gateway} revoked`;
    default: {
      const what = CLASS_WORD[i.classification ?? ''] ?? 'Intrusion';
      const verb = event.type === 'incident.escalated' ? 'escalated' : 'opened';
      return `${i.severity.toUpperCase()} ${what} ${verb}: decoy ${visible(i.decoy ?? '-')} on ${gateway}${i.src ? ` from ${visible(i.src)}` : ''}`;
    }
  }
}

/** The details, in reading order; empty ones left out. */
export function facts(event: IncidentEvent): Fact[] {
  const i = event.incident;
  const list: [string, string | null][] = isGatewayEvent(event)
    ? [
        ['Gateway', gatewayLabel(event)],
        ['Gateway id', visible(i.gatewayId)],
        ['Silent since', i.firstSeen],
        ['Incident', `#${i.id}`],
      ]
    : [
        ['Severity', i.severity],
        ['Class', i.classification],
        ['Gateway', gatewayLabel(event)],
        ['Decoy', i.decoy],
        ['Source', i.src],
        ['Techniques', i.techniques.join(', ')],
        ['Hits', String(i.hitCount)],
        ['Activity', Object.entries(i.counts).map(([k, v]) => `${k} ${v}`).join(', ')],
        ['Users', i.users.join(', ')],
        ['Writes', i.writes.join('; ')],
        ['First seen', i.firstSeen],
        ['Last seen', i.lastSeen],
        ['Incident', `#${i.id}`],
      ];
  return list.filter((f): f is [string, string] => f[1] !== null && f[1] !== '').map(([label, value]) => ({ label, value: visible(value) }));
}

/** Red for targeted intrusions and silent gateways, amber for untargeted, green for recovered. */
export function tone(event: IncidentEvent): 'danger' | 'warning' | 'good' | 'neutral' {
  if (event.type === 'gateway.recovered') return 'good';
  if (event.type === 'gateway.silent' || event.type === 'gateway.revoked') return 'warning';
  if (event.incident.classification === 'red' || event.incident.severity === 'critical') return 'danger';
  return 'warning';
}
