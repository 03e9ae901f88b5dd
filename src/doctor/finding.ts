/**
 * What `tripline doctor` reports: one finding per check, each with a one-line remedy when
 * something is wrong. Pure: no I/O.
 *
 * `fail` means alerts would not reach the console (the service cannot start, or no channel
 * carries hits); `warn` means alerts still flow but something is degraded or will be soon.
 */
export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export interface Finding {
  check: string;
  status: Status;
  /** What was seen, in one line. */
  detail: string;
  /** What to do about it, in one line (for warn and fail). */
  remedy?: string;
}

export const ok = (check: string, detail: string): Finding => ({ check, status: 'ok', detail });
export const skip = (check: string, detail: string): Finding => ({ check, status: 'skip', detail });
export const warn = (check: string, detail: string, remedy: string): Finding => ({ check, status: 'warn', detail, remedy });
export const fail = (check: string, detail: string, remedy: string): Finding => ({ check, status: 'fail', detail, remedy });

const LABEL: Record<Status, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** The report as printed: aligned lines, remedies indented under their finding, a verdict last. */
export function formatReport(title: string, findings: readonly Finding[], clean: (text: string) => string): string {
  const width = Math.max(...findings.map((f) => f.check.length), 8);
  const lines = [title];
  for (const f of findings) {
    lines.push(`  ${LABEL[f.status]}  ${f.check.padEnd(width)}  ${clean(f.detail)}`);
    if (f.remedy && (f.status === 'warn' || f.status === 'fail')) lines.push(`  ${' '.repeat(4)}  ${' '.repeat(width)}  → ${clean(f.remedy)}`);
  }
  lines.push(verdict(findings));
  return lines.join('\n') + '\n';
}

export function verdict(findings: readonly Finding[]): string {
  const failed = findings.filter((f) => f.status === 'fail').length;
  const warned = findings.filter((f) => f.status === 'warn').length;
  if (failed > 0) return `${failed} problem(s) would stop alerts${warned ? `, ${warned} warning(s)` : ''}.`;
  if (warned > 0) return `alerts flow; ${warned} warning(s).`;
  return 'all checks passed.';
}

/** Non-zero when something would stop alerts. */
export function exitCode(findings: readonly Finding[]): number {
  return findings.some((f) => f.status === 'fail') ? 1 : 0;
}
