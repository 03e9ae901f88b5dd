/** The canary zones the console is authoritative for, and which one a name falls in. */
export interface Zone {
  /** Lower case, no trailing dot. */
  name: string;
}

export function normaliseZone(name: string): string {
  const zone = name.trim().toLowerCase().replace(/\.$/, '');
  if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(zone) || zone.length > 200) {
    throw new Error(`"${name}" is not a DNS zone name (e.g. canary.example.net)`);
  }
  return zone;
}

/** The zone containing `qname` and the labels below it (original case), or undefined. */
export function matchZone(zones: readonly string[], qname: string): { zone: string; labels: string[] } | undefined {
  const lower = qname.toLowerCase().replace(/\.$/, '');
  // Longest zone first, so a delegated sub-zone wins over its parent.
  let best: string | undefined;
  for (const zone of zones) {
    if ((lower === zone || lower.endsWith(`.${zone}`)) && (!best || zone.length > best.length)) best = zone;
  }
  if (best === undefined) return undefined;
  const below = qname.replace(/\.$/, '').slice(0, Math.max(0, lower.length - best.length - 1));
  return { zone: best, labels: below === '' ? [] : below.split('.') };
}
