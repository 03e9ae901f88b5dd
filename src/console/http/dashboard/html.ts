/**
 * HTML that escapes by default. Everything interpolated into `html\`...\`` is escaped unless it is
 * itself the result of `html` (or an array of them): attacker-controlled text (OPC UA application
 * names, written strings, DNS labels, source addresses) can only ever land as text.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Bidirectional-text controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F) would let an attacker's
 * string reorder what is shown around it (a `.exe` that reads as `.pdf`); they are shown by name.
 */
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!).replace(BIDI, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase()}]`);
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}
