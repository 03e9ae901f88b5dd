/**
 * MITRE ATT&CK for ICS techniques an incident shows, from what its hits did. Where ATT&CK renamed
 * a technique, both ids are given (SIEM rules in the field use either). Pure. The table, with
 * reasons, is in docs/attack-for-ics.md.
 */
import { BROWSE_KEYS, FILE_KEYS, WRITE_KEYS, emptySummary, foldHit, type IncidentSummary } from './incident.js';
import type { Hit } from './hit.js';

export interface Technique {
  id: string;
  name: string;
}

const T = {
  monitor: { id: 'T0801', name: 'Monitor Process State' },
  discovery: { id: 'T0888', name: 'Remote System Information Discovery' },
  tags: { id: 'T0861', name: 'Point & Tag Identification' },
  command: { id: 'T0855', name: 'Unauthorized Command Message' },
  commandNew: { id: 'T1692.001', name: 'Unauthorized Command Message (renumbered)' },
  parameter: { id: 'T0836', name: 'Modify Parameter' },
  accounts: { id: 'T0859', name: 'Valid Accounts' },
  services: { id: 'T0886', name: 'Remote Services' },
  upload: { id: 'T0845', name: 'Program Upload' },
} as const;

const READS = ['FC1', 'FC2', 'FC3', 'FC4', 'Read', 'CreateSubscription', 'CreateMonitoredItems', 'HistoryRead'];
const IDENTITY = ['FC17', 'FC43', 'FC8', 'GetEndpoints', 'FindServers'];
const PARAMETER_WRITES = ['FC6', 'FC16', 'FC23', 'Write'];

/** A sweep: reads across this many registers count as tag identification too. */
const SWEEP_ADDRESSES = 200;

export function techniquesOf(summary: Pick<IncidentSummary, 'counts' | 'ranges' | 'users'>): Technique[] {
  const has = (keys: string[]) => keys.some((k) => Object.hasOwn(summary.counts, k) && summary.counts[k]! > 0);
  const span = Object.values(summary.ranges).flat().reduce((n, [first, last]) => n + last - first + 1, 0);
  const out: Technique[] = [];
  if (has(IDENTITY)) out.push(T.discovery);
  if (has(BROWSE_KEYS) || span >= SWEEP_ADDRESSES) out.push(T.tags);
  if (has(READS)) out.push(T.monitor);
  if (has(WRITE_KEYS)) out.push(T.command, T.commandNew);
  if (has(PARAMETER_WRITES)) out.push(T.parameter);
  if (has(['ActivateSession', 'CreateSession'])) out.push(T.services);
  if (has(FILE_KEYS)) out.push(T.upload);
  // A login with a user name tries an account (a planted one, if it worked).
  if ((summary.users ?? []).length > 0) out.push(T.accounts);
  return out;
}

/** The techniques one hit shows on its own (an incident's may be more: a sweep is many reads). */
export function techniquesOfHit(hit: Hit): Technique[] {
  const summary = emptySummary(hit.at);
  foldHit(summary, hit);
  return techniquesOf(summary);
}
