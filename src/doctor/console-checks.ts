/** `tripline doctor console`: can gateways reach this console, over DNS and HTTP(S)? */
import { existsSync, statSync } from 'node:fs';
import type { Answer } from 'dns-packet';
import { apiTokenFile, databaseFile, readPublicSettings } from '../console/settings.js';
import { ResolverClient, ResolverTimeout, type ResolverAddress } from '../relay/dns/resolver-client.js';
import { fail, ok, skip, warn, type Finding } from './finding.js';
import { explainHttpFailure, probeHttp } from './http-check.js';
import type { PortHolder } from './port-check.js';
import { checkPort } from './ports.js';
import { checkCertificateFile, checkTlsEndpoint } from './tls-check.js';

export interface ConsoleDoctorOptions {
  dataDir?: string;
  httpHost: string;
  httpPort: number;
  dnsHost: string;
  dnsPort: number;
  /** Zones from --domain; else the running console's, from its data directory. */
  zones?: string[];
  consoleUrl?: string;
  /** The public-style path: a recursive resolver that must find the zone by delegation. */
  resolver: () => ResolverAddress;
  tlsCert?: string;
  timeoutMs: number;
}

export async function diagnoseConsole(options: ConsoleDoctorOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const settings = options.dataDir && existsSync(options.dataDir) ? readPublicSettings(options.dataDir) : undefined;
  const zones = options.zones ?? (settings?.dnsDomain ? [settings.dnsDomain] : []);
  const consoleUrl = options.consoleUrl ?? settings?.consoleUrl;
  const db = options.dataDir ? databaseFile(options.dataDir) : undefined;
  findings.push(...dataDirFindings(options.dataDir));

  const http = await checkPort({ check: 'http port', host: options.httpHost, port: options.httpPort, proto: 'tcp', ownFile: db, owner: 'this console', option: '--http-port' });
  findings.push(http);
  const running = http.status === 'ok' && /held by this console/.test(http.detail);

  if (zones.length === 0) {
    findings.push(skip('dns port', 'no canary zone (--domain): gateways relay over HTTP only'));
  } else {
    for (const proto of ['udp', 'tcp'] as const) {
      findings.push(await checkPort({ check: `dns port`, host: options.dnsHost, port: options.dnsPort, proto, ownFile: db, owner: 'this console', option: '--dns-port', advise: resolvedAdvice }));
    }
    for (const zone of zones) findings.push(await checkDelegation(zone, options.resolver(), options.timeoutMs));
  }

  if (!consoleUrl) findings.push(skip('console url', 'unknown: pass --console-url, or start the console once with this --data'));
  else if (!running) findings.push(skip('console url', `${consoleUrl}: the console is not running here, so not tried`));
  else {
    const probe = await probeHttp(consoleUrl, options.timeoutMs);
    if (probe.ok && probe.status === 200) findings.push(ok('console url', `${consoleUrl} answers (${probe.rttMs} ms)`));
    else {
      const e = probe.ok ? { detail: `${consoleUrl}/healthz answers HTTP ${probe.status}`, remedy: 'check the TLS proxy\'s route to the console' } : explainHttpFailure(consoleUrl, probe.code, probe.message);
      findings.push(fail('console url', e.detail, e.remedy));
    }
  }
  if (consoleUrl?.startsWith('https:')) findings.push(await checkTlsEndpoint(consoleUrl, options.timeoutMs));
  if (options.tlsCert) findings.push(checkCertificateFile(options.tlsCert));
  return findings;
}

/** systemd-resolved's stub listener holds 127.0.0.53:53 on most Debian/Ubuntu hosts. */
function resolvedAdvice(holders: PortHolder[]): string | undefined {
  if (!holders.some((h) => h.command.startsWith('systemd-resolve'))) return undefined;
  return 'free port 53 from systemd-resolved: a drop-in with "[Resolve]" and "DNSStubListener=no" in /etc/systemd/resolved.conf.d/, then systemctl restart systemd-resolved (docs/install.md)';
}

function dataDirFindings(dataDir: string | undefined): Finding[] {
  if (!dataDir) return [skip('data', 'no --data DIR given (under systemd: /var/lib/tripline-console)')];
  if (!existsSync(databaseFile(dataDir))) return [warn('data', `no console database in ${dataDir} yet`, `start the console once with --data ${dataDir} (is the path right?)`)];
  const findings: Finding[] = [];
  const mode = statSync(dataDir).mode & 0o777;
  findings.push(mode & 0o077 ? warn('data', `${dataDir} is open to group or others (mode ${mode.toString(8).padStart(4, '0')}); it holds every gateway's secret`, `chmod 700 ${dataDir}`) : ok('data', `${dataDir}, owner-only`));
  const token = apiTokenFile(dataDir);
  if (existsSync(token) && statSync(token).mode & 0o077) findings.push(warn('api token', `${token} is readable by group or others`, `chmod 600 ${token}`));
  return findings;
}

/**
 * Through a recursive resolver, as gateways' resolvers see it: the zone's SOA must come from
 * the console (its primary is ns1.<zone>) and its NS must name ns1.<zone>.
 */
async function checkDelegation(zone: string, resolver: ResolverAddress, timeoutMs: number): Promise<Finding> {
  const check = 'delegation';
  const via = `${resolver.host}:${resolver.port}`;
  const client = new ResolverClient(resolver, timeoutMs);
  const ns1 = `ns1.${zone}`;
  const delegate = `in the parent zone: "${zone}. NS ${ns1}." and a glue "${ns1}. A <--public-ip>"`;
  try {
    const [soa, ns] = await Promise.all([askTwice(client, zone, 'SOA'), askTwice(client, zone, 'NS')]);
    if (soa === 'timeout') return fail(check, `no answer via resolver ${via} for ${zone} SOA`, `check the resolver address (--resolver IP:PORT) and that it may recurse for this host`);
    if (soa.rcode === 'NXDOMAIN') return fail(check, `${zone} does not exist via resolver ${via} (NXDOMAIN): it is not delegated`, delegate);
    if (soa.rcode === 'SERVFAIL') return fail(check, `resolver ${via} gets no answer for ${zone} (SERVFAIL): delegated, but the console's name server is unreachable or lame`, `check the glue A for ${ns1} (= --public-ip) and that UDP and TCP 53 reach this host from outside`);
    if (soa.rcode !== 'NOERROR') return fail(check, `resolver ${via} answers ${soa.rcode} for ${zone} SOA`, `allow this host to query the resolver, or choose another with --resolver`);
    const record = soa.answers.find((a) => a.type === 'SOA' && a.name.toLowerCase() === zone) as (Answer & { data: { mname: string; serial: number } }) | undefined;
    if (!record) return fail(check, `resolver ${via} has no SOA for ${zone} itself (answered by the parent zone): not delegated`, delegate);
    if (record.data.mname.toLowerCase() !== ns1) return fail(check, `${zone} is served by another name server (SOA primary ${record.data.mname}), not this console`, delegate);
    const names = ns === 'timeout' ? [] : ns.answers.filter((a) => a.type === 'NS').map((a) => String((a as { data: unknown }).data).toLowerCase());
    if (!names.includes(ns1)) return warn(check, `SOA for ${zone} comes from this console, but its NS set via ${via} is ${names.join(', ') || 'empty'}`, `make the parent's NS for ${zone} name ${ns1}`);
    return ok(check, `${zone} SOA and NS (${ns1}, serial ${record.data.serial}) seen via resolver ${via}`);
  } finally {
    client.close();
  }
}

async function askTwice(client: ResolverClient, name: string, type: 'SOA' | 'NS') {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await client.query(name, type);
    } catch (err) {
      if (!(err instanceof ResolverTimeout)) throw err;
    }
  }
  return 'timeout' as const;
}
