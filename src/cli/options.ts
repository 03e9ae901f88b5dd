/** Option parsers and error reporting shared by the commands. */
import { InvalidArgumentError } from 'commander';
import { ProfileError } from '../profile/load.js';
import { EnrollmentError } from '../gateway/enrollment.js';
import { EnrollError } from '../console/enroll.js';
import { DataDirInUseError } from '../db/dir-lock.js';
import { SchemaTooNewError } from '../db/open.js';
import { isIP } from 'node:net';
import { parseResolver, type ResolverAddress } from '../relay/dns/resolver-client.js';
import { normaliseZone } from '../console/dns/zone.js';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a TCP/UDP port, 0–65535');
  return n;
}

/** Listen addresses are IP literals: a host name would make us query the system resolver. */
export function parseIp(value: string): string {
  if (!isIP(value)) throw new InvalidArgumentError('expected an IP address (e.g. 0.0.0.0, 127.0.0.1, ::)');
  return value;
}

export function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (/^https?:$/.test(url.protocol) && url.hostname) return value.replace(/\/+$/, '');
  } catch {
    /* fall through */
  }
  throw new InvalidArgumentError('expected http://HOST:PORT or https://HOST:PORT');
}

/** `IP` or `IP:PORT` of a DNS resolver; empty is an error, not "use the default". */
export function parseResolverOption(value: string): ResolverAddress {
  try {
    return parseResolver(value);
  } catch {
    throw new InvalidArgumentError('expected IP or IP:PORT of a DNS resolver, e.g. 127.0.0.1:53');
  }
}

/** Comma-separated zone names, each checked. */
export function parseZones(value: string): string[] {
  const zones = splitList(value);
  if (zones.length === 0) throw new InvalidArgumentError('expected one or more zone names, e.g. canary.example.net');
  try {
    return zones.map(normaliseZone);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

export function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** systemd's StateDirectory= sets $STATE_DIRECTORY; otherwise --data must be given. */
export function defaultDataDir(): string | undefined {
  return process.env.STATE_DIRECTORY?.split(':')[0];
}

export class UsageError extends Error {}

/** Errors a user can fix print as one line; anything else is a bug and keeps its stack. */
export function reportFatal(err: unknown): never {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (err instanceof ProfileError || err instanceof EnrollmentError || err instanceof EnrollError || err instanceof SchemaTooNewError || err instanceof UsageError || err instanceof DataDirInUseError) {
    process.stderr.write(`tripline: ${e.message}\n`);
    process.exit(2);
  }
  if ((e?.code === 'EADDRINUSE' || e?.code === 'EACCES') && e.syscall === 'listen') {
    const what = e.code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges (ports below 1024 need CAP_NET_BIND_SERVICE)';
    process.stderr.write(`tripline: cannot listen on ${e.address ?? ''}:${e.port ?? ''}: the port ${what}; choose another port\n`);
    process.exit(2);
  }
  // File-system and database trouble (missing dir, corrupt file, permissions) is the operator's to fix.
  if ((typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) || e?.name === 'SqliteError') {
    process.stderr.write(`tripline: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`tripline: unexpected error: ${e?.stack ?? String(err)}\n`);
  process.exit(1);
}

/** Stops services cleanly on SIGINT/SIGTERM (systemd stop, Ctrl-C). */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`tripline: error while stopping on ${signal}: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
