/** Terminal rendering of hits. Attacker-influenced text is stripped of control characters first. */
import type { StoredHit } from '../console/store.js';
import { describeSource, type Hit } from '../core/hit.js';

const FUNCTION_NAMES: Record<number, string> = {
  1: 'read coils',
  2: 'read discrete inputs',
  3: 'read holding registers',
  4: 'read input registers',
  5: 'write coil',
  6: 'write register',
  15: 'write coils',
  16: 'write registers',
  17: 'report server id',
  43: 'read device id',
};

/**
 * Replaces C0/C1 controls (escape sequences), line and paragraph separators and bidirectional
 * overrides, so a hostile string can neither drive the terminal nor disguise itself.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, '?');
}

export function describeRequest(hit: Hit): string {
  if (hit.protocol === 'opcua') {
    const user = hit.attributes?.user ? ` user ${String(hit.attributes.user)}${hit.attributes.credential ? ` (${String(hit.attributes.credential)})` : ''}` : '';
    return `OPC UA ${hit.service ?? '?'}${user}`;
  }
  if (hit.functionCode === null) return 'unframed bytes';
  const name = FUNCTION_NAMES[hit.functionCode] ?? 'unsupported function';
  const range = hit.address !== null ? ` @${hit.address}${hit.quantity ? ` ×${hit.quantity}` : ''}` : '';
  return `FC${hit.functionCode} ${name}${range}`;
}

export function describeOutcome(hit: Hit): string {
  if (hit.outcome === 'exception' && hit.protocol === 'opcua') return hit.detail ?? 'bad status';
  if (hit.outcome === 'exception') return `exception ${String(hit.exceptionCode ?? '?').padStart(2, '0')}`;
  return hit.outcome;
}

function describeValues(hit: Hit): string {
  if (!hit.values) return '';
  const shown = hit.values.slice(0, 8).map(String).join(',');
  return hit.values.length > 8 ? `${shown},… (${hit.values.length})` : shown;
}

export function formatHitLine(hit: Hit): string {
  const values = describeValues(hit);
  const parts = [
    hit.at,
    describeSource(hit.src),
    `→ ${hit.decoy} unit ${hit.unitId ?? '-'}`,
    describeRequest(hit),
    describeOutcome(hit),
    values ? `values ${values}` : '',
    hit.points.length ? `[${hit.points.slice(0, 4).join(', ')}${hit.points.length > 4 ? `, … ${hit.points.length - 4} more` : ''}]` : '',
  ];
  return terminalSafe(parts.filter(Boolean).join('  '));
}

export function formatHitTable(hits: readonly StoredHit[]): string {
  const header = ['TIME', 'GATEWAY', 'SOURCE', 'DECOY', 'UNIT', 'REQUEST', 'OUTCOME', 'VALUES'];
  const rows = hits.map((h) => [
    h.at,
    h.gatewayId,
    describeSource(h.src),
    h.decoy,
    String(h.unitId ?? '-'),
    describeRequest(h),
    describeOutcome(h),
    describeValues(h),
  ].map(terminalSafe));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
