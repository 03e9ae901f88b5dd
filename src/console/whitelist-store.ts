/**
 * The scanner whitelist in force: the CIDRs given on the command line (fixed) plus those the SOC
 * adds in the dashboard (stored, audited). Incidents consult it as they are classified.
 */
import type { Db } from '../db/open.js';
import { Whitelist } from '../core/classify.js';

export interface WhitelistEntry {
  cidr: string;
  note: string | null;
  addedAt: string | null;
  addedBy: string;
  /** Given with --whitelist: shown, not removable from the dashboard. */
  fixed: boolean;
}

export class WhitelistStore {
  private current: Whitelist;

  constructor(private readonly db: Db, private readonly fixed: readonly string[]) {
    this.current = this.build();
  }

  has(ip: string): boolean {
    return this.current.has(ip);
  }

  list(): WhitelistEntry[] {
    const stored = this.db.prepare('SELECT * FROM whitelist ORDER BY added_at').all() as { cidr: string; note: string | null; added_at: string; added_by: string }[];
    return [
      ...this.fixed.map((cidr) => ({ cidr, note: 'command line (--whitelist)', addedAt: null, addedBy: 'console', fixed: true })),
      ...stored.map((r) => ({ cidr: r.cidr, note: r.note, addedAt: r.added_at, addedBy: r.added_by, fixed: false })),
    ];
  }

  /** Adds a CIDR (checked: throws with the reason when it is not one). Returns its canonical text. */
  add(cidr: string, note: string | null, by: string): string {
    const text = cidr.trim();
    new Whitelist([text]);
    this.db.prepare('INSERT INTO whitelist (cidr, note, added_at, added_by) VALUES (?, ?, ?, ?) ON CONFLICT(cidr) DO UPDATE SET note = excluded.note').run(text, note, new Date().toISOString(), by);
    this.current = this.build();
    return text;
  }

  remove(cidr: string): boolean {
    const removed = this.db.prepare('DELETE FROM whitelist WHERE cidr = ?').run(cidr).changes === 1;
    this.current = this.build();
    return removed;
  }

  private build(): Whitelist {
    const stored = (this.db.prepare('SELECT cidr FROM whitelist').all() as { cidr: string }[]).map((r) => r.cidr);
    return new Whitelist([...this.fixed, ...stored]);
  }
}
