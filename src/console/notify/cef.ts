/**
 * Syslog RFC 5424 lines carrying ArcSight CEF, as SIEMs ingest them. Pure. Every field can hold
 * attacker-controlled text (decoy names, user names, written strings), so escaping follows the
 * CEF rules exactly: in the header `\` and `|`, in extensions `\`, `=` and line breaks; and no
 * line break ever survives into the syslog frame.
 */
import type { IncidentEvent } from './event.js';

const SEVERITY = { low: 3, medium: 5, high: 8, critical: 10 } as Record<string, number>;
const PRI = { low: 13 * 8 + 5, medium: 13 * 8 + 4, high: 13 * 8 + 3, critical: 13 * 8 + 2 } as Record<string, number>;

const GATEWAY_NAMES: Partial<Record<IncidentEvent['type'], string>> = { 'gateway.silent': 'Gateway silent', 'gateway.recovered': 'Gateway heard again', 'gateway.revoked': 'Gateway revoked' };

export function cefHeader(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

export function cefValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r\n|\n/g, '\\n').replace(/\r/g, '\\r');
}

/** RFC 5424 structured-data parameter values escape `"`, `\` and `]`. */
function sdValue(text: string): string {
  return text.replace(/[\\"\]]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

export function formatCef(event: IncidentEvent, hostname: string, version: string): string {
  const i = event.incident;
  const name = GATEWAY_NAMES[event.type] ?? `${i.classification === 'red' ? 'Targeted' : 'Untargeted'} ${i.kind} on decoy ${i.decoy ?? '-'}`;
  const extension: [string, string | number | null][] = [
    ['rt', Date.parse(event.at)],
    ['externalId', event.id],
    ['src', i.src],
    ['dvchost', i.gatewayName ?? i.gatewayId],
    ['cs1Label', 'decoy'], ['cs1', i.decoy],
    ['cs2Label', 'classification'], ['cs2', i.classification],
    ['cs3Label', 'techniques'], ['cs3', i.techniques.join(',')],
    ['cs4Label', 'users'], ['cs4', i.users.join(',')],
    ['cs5Label', 'writes'], ['cs5', i.writes.join('; ').slice(0, 1000)],
    ['cn1Label', 'hitCount'], ['cn1', i.hitCount],
    ['cs6Label', 'counts'], ['cs6', Object.entries(i.counts).map(([k, v]) => `${k}:${v}`).join(',')],
    ['flexString1Label', i.memo === undefined ? null : 'memo'], ['flexString1', i.memo ?? null],
    ['start', Date.parse(i.firstSeen)],
    ['end', Date.parse(i.lastSeen)],
    ['msg', `${event.type} ${i.kind} incident ${i.id}`],
  ];
  const ext = extension.filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k}=${cefValue(String(v))}`).join(' ');
  const cef = `CEF:0|${cefHeader('Tripline')}|${cefHeader('Tripline Console')}|${cefHeader(version)}|${cefHeader(event.type)}|${cefHeader(name)}|${SEVERITY[i.severity] ?? 5}|${ext}`;
  const sd = `[tripline@32473 incident="${i.id}" event="${sdValue(event.id)}" severity="${sdValue(i.severity)}"]`;
  return `<${PRI[i.severity] ?? 13 * 8 + 5}>1 ${event.at} ${hostname} tripline - ${event.type} ${sd} ${cef}`;
}
