/** Small pieces of dashboard markup shared by the pages. */
import { html, type SafeHtml } from './html.js';
import type { WriteRecord } from '../../../core/incident.js';
import type { TokenHit } from '../../tokens/token-store.js';

export function classBadge(classification: string | null): SafeHtml {
  if (!classification) return html`<span class="muted">–</span>`;
  return html`<span class="badge ${classification}">${classification}</span>`;
}

export function severityText(severity: string): SafeHtml {
  return html`<span class="sev-${severity}">${severity}</span>`;
}

/** `2026-12-03T16:05:07.123Z` → `2026-12-03 16:05:07Z`: dense, unambiguous, UTC like the logs. */
export function time(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">never</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** What was written, as text: values may be attacker-chosen strings, and stay text. */
export function writeTarget(w: WriteRecord): string {
  if (w.service) return `${w.service}${w.points?.length ? ` ${w.points.join(', ')}` : ''}`;
  return `FC${w.functionCode}${w.address !== null ? ` @ ${w.address}` : ''}${w.points?.length ? ` (${w.points.join(', ')})` : ''}`;
}

export function writtenValues(w: WriteRecord): string {
  const shown = w.values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ');
  const more = (w.valueCount ?? w.values.length) - w.values.length;
  const text = registersAsText(w.values);
  return `${shown}${more > 0 ? ` … (+${more})` : ''}${text ? `  as text: "${text}"` : ''}`;
}

/**
 * Registers that spell printable ASCII (two characters each, high byte first, as Modbus strings
 * are packed) shown as that text too: an intruder renaming a station or leaving a message is
 * read at a glance. The text is the attacker's and is escaped like everything else.
 */
export function registersAsText(values: readonly unknown[]): string | null {
  if (values.length < 2 || !values.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff)) return null;
  const bytes = (values as number[]).flatMap((v) => [v >> 8, v & 0xff]);
  while (bytes.length > 0 && bytes[bytes.length - 1] === 0) bytes.pop();
  if (bytes.length < 3 || !bytes.every((b) => b >= 0x20 && b < 0x7f)) return null;
  return String.fromCharCode(...bytes);
}

/** Distinct protocol attributes seen in an incident's hits (client names, users, certificates). */
export function attributesSeen(hits: readonly { attributes?: Record<string, unknown> }[], max = 50): { key: string; value: string; count: number }[] {
  const seen = new Map<string, { key: string; value: string; count: number }>();
  for (const hit of hits) {
    for (const [key, value] of Object.entries(hit.attributes ?? {})) {
      if (value === null || value === undefined || key === 'nodes' || key === 'nodeCount') continue;
      const id = `${key}\u0000${String(value)}`;
      const entry = seen.get(id);
      if (entry) entry.count++;
      else if (seen.size < max) seen.set(id, { key, value: String(value), count: 1 });
    }
  }
  return [...seen.values()];
}

export function counts(c: Record<string, number>): string {
  return Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}×${n}`)
    .join('  ');
}

/** What a canary token's hits tell: resolver or client, names looked up, decoded data, user agents. */
export function tokenHitAttributes(hits: readonly TokenHit[], max = 50): { key: string; value: string; count: number }[] {
  return attributesSeen(
    hits.map((h) => ({
      attributes: {
        channel: h.channel,
        ...(h.dns ? { name: h.dns.name, queryTypes: h.dns.queryTypes.join(' '), ...(h.dns.data !== undefined ? { data: h.dns.data } : {}) } : {}),
        ...(h.http ? { request: `${h.http.method} ${h.http.path}`, userAgent: h.http.userAgent } : {}),
      },
    })),
    max,
  );
}
