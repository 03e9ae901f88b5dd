/**
 * Attacker-controlled text on its way into logs: printable ASCII only, bounded. JSON logging
 * escapes control characters but passes bidirectional overrides and line separators through.
 */
export function logSafe(text: string, max = 200): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
