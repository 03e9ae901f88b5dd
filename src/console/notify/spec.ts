/**
 * `--notify` specs, one URL-style string per destination. Pure: parsing and redaction only.
 *
 *   [FILTER:]KIND+URL  or  [FILTER:]URL
 *
 * KIND is webhook, slack, teams, discord or syslog; a bare http(s):// URL is a JSON webhook, a bare
 * udp://, tcp:// or tls:// one is syslog, mqtt(s):// is MQTT and smtp(s):// is email. The filter
 * (see filter.ts) is a prefix, so it never touches a webhook's own query string.
 *
 * Each destination gets a queue key (its full spec minus the filter, as `kind:url`; the same key
 * `--webhook` and `--syslog` always used, so queued rows stay deliverable) and a display name with
 * secrets left out (tokens in webhook paths and queries, passwords), for logs, metrics and status.
 */
import { createHash } from 'node:crypto';
import { parseFilter, formatFilter, type EventFilter } from './filter.js';

export type ChatKind = 'webhook' | 'slack' | 'teams' | 'discord';

interface Common {
  /** The queue key (holds secrets: stored, never shown). */
  key: string;
  /** Shown in logs, metrics and status: no secret in it. */
  display: string;
  filter: EventFilter | null;
}

export type DestinationSpec =
  | (Common & { kind: ChatKind; url: string })
  | (Common & { kind: 'syslog'; transport: 'udp' | 'tcp' | 'tls'; host: string; port: number; caFile: string | null })
  | (Common & { kind: 'mqtt'; secure: boolean; host: string; port: number; username: string | null; password: string | null; topicPrefix: string; site: string; caFile: string | null })
  | (Common & { kind: 'smtp'; secure: boolean; host: string; port: number; username: string | null; password: string | null; from: string; to: string[]; caFile: string | null });

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const BARE: Record<string, DestinationSpec['kind']> = { http: 'webhook', https: 'webhook', udp: 'syslog', tcp: 'syslog', tls: 'syslog', mqtt: 'mqtt', mqtts: 'mqtt', smtp: 'smtp', smtps: 'smtp' };
const CHAT: readonly string[] = ['webhook', 'slack', 'teams', 'discord'];
const ADDRESS = /^[^\s@<>,;"'()\\]+@[^\s@<>,;"'()\\]+$/;

export class SpecError extends RangeError {}

/** Throws SpecError with a message that says what is wrong and what would be right. */
export function parseDestinationSpec(spec: string): DestinationSpec {
  let rest = spec.trim();
  let filter: EventFilter | null = null;
  if (!SCHEME.test(rest)) {
    const colon = rest.indexOf(':');
    if (colon < 0) throw new SpecError(`${shown(spec)}: expected a URL such as slack+https://hooks.slack.com/... or syslog+tls://HOST:6514`);
    try {
      filter = parseFilter(rest.slice(0, colon));
    } catch (err) {
      throw new SpecError(`${shown(spec)}: ${(err as Error).message}`);
    }
    rest = rest.slice(colon + 1);
    if (!SCHEME.test(rest)) throw new SpecError(`${shown(spec)}: expected FILTER:URL, e.g. red:slack+https://hooks.slack.com/...`);
  }
  const scheme = SCHEME.exec(rest)![1]!.toLowerCase();
  const plus = scheme.indexOf('+');
  const named = plus >= 0 ? scheme.slice(0, plus) : null;
  const transport = plus >= 0 ? scheme.slice(plus + 1) : scheme;
  const url = plus >= 0 ? rest.slice(plus + 1) : rest;
  const kind = named ?? BARE[transport];
  if (!kind) throw new SpecError(`${shown(spec)}: unknown scheme ${scheme}: use http(s)://, slack+https://, teams+https://, discord+https://, syslog+udp|tcp|tls://, mqtt(s):// or smtp(s)://`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SpecError(`${shown(spec)}: not a valid URL`);
  }
  if (!parsed.hostname) throw new SpecError(`${shown(spec)}: the URL has no host`);
  const common = (display: string): Common => ({ key: `${kind}:${url}`, display: filter ? `${display} [${formatFilter(filter)}]` : display, filter });

  if (CHAT.includes(kind)) {
    if (transport !== 'http' && transport !== 'https') throw new SpecError(`${shown(spec)}: ${kind} needs an http(s):// URL`);
    return { kind: kind as ChatKind, url, ...common(`${kind}:${parsed.protocol}//${parsed.host}${parsed.pathname.length > 1 || parsed.search ? '/…' : ''}#${digest(url)}`) };
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const q = parsed.searchParams;
  switch (kind) {
    case 'syslog': {
      if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') throw new SpecError(`${shown(spec)}: syslog is udp://, tcp:// or tls://HOST:PORT`);
      const port = Number(parsed.port || (transport === 'tls' ? 6514 : 514));
      return { kind, transport, host, port, caFile: q.get('ca'), ...common(`syslog:${transport}://${parsed.hostname}:${port}`) };
    }
    case 'mqtt': {
      if (transport !== 'mqtt' && transport !== 'mqtts') throw new SpecError(`${shown(spec)}: MQTT is mqtt:// or mqtts://HOST:PORT/PREFIX?site=NAME`);
      const secure = transport === 'mqtts';
      const port = Number(parsed.port || (secure ? 8883 : 1883));
      const topicPrefix = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, '')) || 'tripline';
      if (/[#+\u0000]/.test(topicPrefix) || url.includes('#')) throw new SpecError(`${shown(spec)}: the topic prefix may not hold # or +`);
      const site = q.get('site') ?? 'default';
      const user = parsed.username ? decodeURIComponent(parsed.username) : null;
      return {
        kind, secure, host, port, username: user, password: parsed.password ? decodeURIComponent(parsed.password) : null, topicPrefix, site, caFile: q.get('ca'),
        ...common(`mqtt:${transport}://${user ? `${user}@` : ''}${parsed.hostname}:${port}/${topicPrefix}?site=${site}`),
      };
    }
    case 'smtp': {
      if (transport !== 'smtp' && transport !== 'smtps') throw new SpecError(`${shown(spec)}: email is smtp:// or smtps://HOST:PORT?from=ADDRESS&to=ADDRESS[,ADDRESS]`);
      const secure = transport === 'smtps';
      const port = Number(parsed.port || (secure ? 465 : 25));
      const from = q.get('from') ?? '';
      const to = (q.get('to') ?? '').split(',').map((a) => a.trim()).filter(Boolean);
      if (!ADDRESS.test(from)) throw new SpecError(`${shown(spec)}: from=ADDRESS is required (a plain address, e.g. tripline@plant.example)`);
      if (to.length === 0 || !to.every((a) => ADDRESS.test(a))) throw new SpecError(`${shown(spec)}: to=ADDRESS[,ADDRESS] is required (plain addresses)`);
      const user = parsed.username ? decodeURIComponent(parsed.username) : null;
      return {
        kind, secure, host, port, username: user, password: parsed.password ? decodeURIComponent(parsed.password) : null, from, to, caFile: q.get('ca'),
        ...common(`smtp:${transport}://${user ? `${user}@` : ''}${parsed.hostname}:${port} to ${to.join(',')}`),
      };
    }
    default:
      throw new SpecError(`${shown(spec)}: unknown destination kind ${kind}: use webhook, slack, teams, discord or syslog before the +`);
  }
}

/** Tells two destinations on one host apart without showing the token: 8 hex of a SHA-256. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** A spec in an error message: scheme and host at most, never a token or password. */
function shown(spec: string): string {
  const m = /^(.*?:\/\/)([^/?#]*)/.exec(spec);
  if (!m) return `"${spec.slice(0, 40)}"`;
  return `"${m[1]}${m[2]!.replace(/^[^@]*@/, '…@')}${spec.length > m[0].length ? '/…' : ''}"`;
}

/**
 * Every destination the console was given: `--webhook` (JSON), `--syslog` and `--notify` specs.
 * Throws SpecError on a bad spec, or on one destination given twice (one queue per destination).
 */
export function destinationSpecs(given: { webhooks?: readonly string[]; syslog?: readonly string[]; specs?: readonly string[] }): DestinationSpec[] {
  const specs = [
    ...(given.webhooks ?? []).map((url) => parseDestinationSpec(`webhook+${url}`)),
    ...(given.syslog ?? []).map((url) => {
      const spec = parseDestinationSpec(url);
      if (spec.kind !== 'syslog') throw new SpecError(`--syslog ${shown(url)}: expected udp://, tcp:// or tls://HOST:PORT`);
      return spec;
    }),
    ...(given.specs ?? []).map(parseDestinationSpec),
  ];
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.key)) throw new SpecError(`${spec.display} is given twice: one queue per destination, give it once`);
    seen.add(spec.key);
  }
  return specs;
}
