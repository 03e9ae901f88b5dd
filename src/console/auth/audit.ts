/**
 * The audit log: every login, triage action and settings change, with who and from where.
 * Append-only from the console's side; the dashboard and `/api/v1/audit` read it.
 */
import type { Db } from '../../db/open.js';

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
  srcIp: string | null;
}

export type AuditAction =
  | 'login'
  | 'login.failed'
  | 'logout'
  | 'password.set'
  | 'incident.acknowledge'
  | 'incident.resolve'
  | 'incident.reopen'
  | 'gateway.revoke'
  | 'gateway.rotate'
  | 'whitelist.add'
  | 'whitelist.remove'
  | 'api-token.create'
  | 'api-token.revoke'
  | 'canary-token.create'
  | 'canary-token.disable'
  | 'canary-token.enable'
  | 'canary-token.rotate'
  | 'canary-token.delete';

export class AuditLog {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO audit_log (at, actor, action, target, detail, src_ip) VALUES (?, ?, ?, ?, ?, ?)');
  }

  record(entry: { actor: string; action: AuditAction; target?: string | null; detail?: string | null; srcIp?: string | null }): void {
    this.insert.run(new Date().toISOString(), entry.actor.slice(0, 200), entry.action, entry.target?.slice(0, 500) ?? null, entry.detail?.slice(0, 2000) ?? null, entry.srcIp ?? null);
  }

  list(limit: number, target?: string): AuditEntry[] {
    const rows = target
      ? this.db.prepare('SELECT * FROM audit_log WHERE target = ? ORDER BY seq DESC LIMIT ?').all(target, limit)
      : this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(limit);
    return (rows as Record<string, string | number | null>[]).map((r) => ({
      seq: r.seq as number,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      target: r.target as string | null,
      detail: r.detail as string | null,
      srcIp: r.src_ip as string | null,
    }));
  }
}
