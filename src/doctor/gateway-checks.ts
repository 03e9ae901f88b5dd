/** `tripline doctor gateway`: will this gateway's hits reach its console? */
import { existsSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnrollment, type Enrollment } from '../gateway/enrollment.js';
import { GatewayStore } from '../gateway/store.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';
import type { ResolverAddress } from '../relay/dns/resolver-client.js';
import { checkDnsPath } from './dns-path.js';
import { fail, ok, skip, warn, type Finding } from './finding.js';
import { explainHttpFailure, probeHttp } from './http-check.js';
import { checkPort } from './ports.js';

export interface GatewayDoctorOptions {
  enrollmentFile: string;
  profile: string;
  dataDir?: string;
  /** The decoys' TCP listeners: address and each port with what it is for. */
  listenHost: string;
  ports: { port: number; what: string }[];
  /** Whether the profile's OPC UA server is served on `opcuaPort`. */
  opcuaPort?: number;
  dns: boolean;
  /** Called only when DNS is checked: the system resolver is read lazily. */
  resolver: () => ResolverAddress;
  timeoutMs: number;
  /** Test hook: pretend this machine's clock is off by this much. */
  clockOffsetMs?: number;
}

/** Warn past this skew; the console refuses incident summaries dated over a day ahead. */
export const SKEW_WARN_MS = 60_000;
export const SKEW_FAIL_AHEAD_MS = 86_400_000;
const MIB = 1024 * 1024;

export async function diagnoseGateway(options: GatewayDoctorOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  let enrollment: (Enrollment & { secretBytes: Buffer }) | undefined;
  try {
    enrollment = loadEnrollment(options.enrollmentFile);
    findings.push(ok('enrollment', `${options.enrollmentFile}: ${enrollment.name} (${enrollment.gatewayId}), owner-only`));
  } catch (err) {
    const message = (err as Error).message;
    const remedy = /readable by group or others/.test(message)
      ? `chmod 600 ${options.enrollmentFile} (the gateway refuses to start with it as it is)`
      : /EACCES|permission denied/i.test(message)
        ? 'run the doctor as root (the file is root-only when systemd hands it over with LoadCredential=)'
        : 'copy the file written by `tripline console enroll` (mode 0600) and pass it with --enrollment';
    findings.push(fail('enrollment', message, remedy));
  }

  let profile: Profile | undefined;
  try {
    profile = loadProfile(options.profile);
    findings.push(ok('profile', `${profile.name}: ${profile.identity.vendor} ${profile.identity.productCode}`));
  } catch (err) {
    findings.push(fail('profile', (err as Error).message, 'fix the profile (tripline profile validate FILE) or choose a shipped one (tripline profile list)'));
  }

  findings.push(...dataDirFindings(options.dataDir));
  const ports = [...options.ports];
  if (options.opcuaPort !== undefined && profile?.opcua) ports.push({ port: options.opcuaPort, what: 'OPC UA' });
  const ownDb = options.dataDir ? join(options.dataDir, 'gateway.db') : undefined;
  for (const { port, what } of ports) findings.push(await checkPort({ check: `${what} port`, host: options.listenHost, port, proto: 'tcp', ownFile: ownDb, owner: 'this gateway', option: what === 'OPC UA' ? '--opcua-port' : '--modbus-port' }));

  if (!enrollment) {
    findings.push(skip('dns relay', 'needs a readable enrollment'), skip('http relay', 'needs a readable enrollment'));
    return findings;
  }
  const zone = enrollment.dnsDomain;
  const [dns, http] = await Promise.all([
    options.dns && zone
      ? checkDnsPath({ gatewayId: enrollment.gatewayId, secret: enrollment.secretBytes, zone, resolver: options.resolver(), timeoutMs: options.timeoutMs })
      : Promise.resolve(skip('dns relay', zone ? 'off (--no-dns)' : 'the enrollment names no DNS zone: HTTP only')),
    probeHttp(enrollment.consoleUrl, options.timeoutMs, options.clockOffsetMs),
  ]);
  let httpFinding: Finding;
  let clock: Finding;
  if (http.ok && http.status === 200) {
    httpFinding = ok('http relay', `${enrollment.consoleUrl} answers (${http.rttMs} ms)`);
    clock = clockFinding(http.skewMs);
  } else {
    const explained = http.ok
      ? { detail: `${enrollment.consoleUrl}/healthz answers HTTP ${http.status}: not a Tripline console, or a proxy in the way`, remedy: 'check the console URL in the enrollment and the TLS proxy in front of the console' }
      : explainHttpFailure(enrollment.consoleUrl, http.code, http.message);
    httpFinding = fail('http relay', explained.detail, explained.remedy);
    clock = skip('clock', 'needs the console over HTTP');
  }
  // One working channel still carries every alert: the other is then only a warning.
  if (dns.status === 'fail' && httpFinding.status === 'ok') findings.push(lower(dns, 'alerts still reach the console over HTTP'));
  else findings.push(dns);
  if (httpFinding.status === 'fail' && dns.status === 'ok') findings.push(lower(httpFinding, 'alerts still reach the console over DNS'));
  else findings.push(httpFinding);
  findings.push(clock);
  return findings;
}

function lower(finding: Finding, why: string): Finding {
  return { ...finding, status: 'warn', detail: `${finding.detail}; ${why}` };
}

function clockFinding(skewMs: number | null): Finding {
  if (skewMs === null) return skip('clock', 'the console sent no Date header');
  const seconds = Math.round(Math.abs(skewMs) / 1000);
  const direction = skewMs > 0 ? 'ahead of' : 'behind';
  const remedy = 'turn on time sync (timedatectl set-ntp true, or chrony pointed at the plant\'s time server)';
  if (skewMs > SKEW_FAIL_AHEAD_MS) return fail('clock', `this gateway's clock is ${seconds} s ahead of the console's: the console refuses incident summaries dated more than a day ahead`, remedy);
  if (Math.abs(skewMs) > SKEW_WARN_MS) return warn('clock', `this gateway's clock is ${seconds} s ${direction} the console's: hit times and incident windows will be off by as much`, remedy);
  return ok('clock', `within ${Math.max(1, seconds)} s of the console's`);
}

function dataDirFindings(dataDir: string | undefined): Finding[] {
  if (!dataDir) return [skip('data', 'no --data DIR given (under systemd: /var/lib/tripline-gateway)')];
  if (!existsSync(dataDir)) return [ok('data', `${dataDir} does not exist yet: the gateway creates it (mode 0700) at first start`)];
  const findings: Finding[] = [];
  const mode = statSync(dataDir).mode & 0o777;
  if (mode & 0o077) findings.push(warn('data', `${dataDir} is open to group or others (mode ${mode.toString(8).padStart(4, '0')}); it holds the hits and the deployment seed`, `chmod 700 ${dataDir}`));
  findings.push(diskFinding(dataDir));
  const db = join(dataDir, 'gateway.db');
  if (!existsSync(db)) {
    findings.push(ok('outbox', 'no database yet: created at first start'));
    return findings;
  }
  let store: GatewayStore | undefined;
  const restore = actAsOwnerOf(dataDir);
  try {
    store = new GatewayStore(db);
    const depth = store.outboxDepth();
    const oldest = store.oldestPendingAt();
    const ageMin = oldest ? Math.round((Date.now() - Date.parse(oldest)) / 60_000) : 0;
    const limit = store.outboxLimit;
    if (depth >= limit) findings.push(warn('outbox', `${depth} undelivered hits, at the limit of ${limit}: repeated low-value hits are being counted instead of kept`, 'restore a relay channel to the console (see dns relay / http relay below)'));
    else if (ageMin > 60) findings.push(warn('outbox', `${depth} undelivered hits, the oldest ${ageMin} min old`, 'hits are not leaving: see dns relay / http relay below, and tripline gateway status'));
    else findings.push(ok('outbox', `${depth} undelivered hit(s)`));
  } catch (err) {
    findings.push(fail('outbox', `${db}: ${(err as Error).message}`, 'check the file\'s owner and permissions (under systemd they belong to the user tripline)'));
  } finally {
    store?.close();
    restore();
  }
  return findings;
}

/**
 * Run as root (to read a root-only enrollment file), the doctor opens the database as the
 * data directory's owner: a WAL or shared-memory file it creates must stay the service's, or
 * the gateway could no longer open its own database. Returns the function that switches back.
 */
function actAsOwnerOf(dir: string): () => void {
  if (process.geteuid?.() !== 0 || !process.seteuid || !process.setegid) return () => {};
  const { uid, gid } = statSync(dir);
  if (uid === 0) return () => {};
  process.setegid(gid);
  process.seteuid(uid);
  return () => {
    process.seteuid!(0);
    process.setegid!(0);
  };
}

/** A full disk stops the gateway from committing hits, and an uncommitted hit is not answered. */
function diskFinding(dir: string): Finding {
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const text = `${Math.floor(free / MIB)} MiB free on the file system of ${dir}`;
  if (free < 50 * MIB) return fail('disk', text, 'free disk space: the gateway cannot record hits on a full disk');
  if (free < 500 * MIB) return warn('disk', text, 'free disk space (a full outbox of 200,000 hits takes about 200 MB)');
  return ok('disk', text);
}
