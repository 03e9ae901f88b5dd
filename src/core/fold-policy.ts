/**
 * What may be folded into a count when the outbox is full: repeated low-value hits. Writes,
 * method calls, logins and the first hit of each incident are always kept whole.
 */
import type { Hit } from './hit.js';
import { isWrite } from './incident.js';

export function isLowValue(hit: Hit): boolean {
  if (hit.values !== null || hit.attributes?.credential !== undefined) return false;
  return !isWrite(hit) && hit.service !== 'ActivateSession';
}

/** The key a folded hit is counted under. */
export function foldKey(hit: Hit): { srcIp: string; decoy: string; functionCode: number; outcome: string } {
  return { srcIp: hit.src.ip, decoy: hit.decoy, functionCode: hit.functionCode ?? -1, outcome: hit.outcome };
}
