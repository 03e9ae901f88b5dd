import { Command, InvalidArgumentError } from 'commander';
import { startConsole } from '../console/console.js';
import { enrollGateway } from '../console/enroll.js';
import { revokeGatewayByName, rotateGatewayByName } from '../console/gateway-admin.js';
import { createLogger } from '../log.js';
import { isIPv4 } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { defaultDataDir, onShutdown, parseIp, parsePort, parsePositiveInt, parseUrl, parseZones, UsageError } from './options.js';
import { Whitelist } from '../core/classify.js';
import { passwordProblem } from '../console/auth/password.js';
import { parseDestinationSpec } from '../console/notify/spec.js';

export function consoleCommand(): Command {
  const cmd = new Command('console')
    .description('run the console: gateway ingest, API and metrics for the SOC')
    // `console enroll --data X`: options after a subcommand belong to the subcommand.
    .enablePositionalOptions()
    .option('--data <dir>', 'data directory (database, API token, public settings)', defaultDataDir())
    .option('--http-host <ip>', 'address to listen on (all interfaces by default)', parseIp, '0.0.0.0')
    .option('--http-port <port>', 'HTTP port', parsePort, 8470)
    .option('--console-url <url>', 'URL gateways reach this console at (written into enrollment files)', parseUrl)
    .option('--api-token <token>', 'bearer token for the API (or TRIPLINE_API_TOKEN; generated and stored in the data dir if absent)')
    .option('--domain <zones>', 'canary zone(s) to serve over DNS, comma-separated (or CANARY_DOMAINS); none: no DNS', parseZones)
    .option('--dns-host <ip>', 'address the DNS server listens on', parseIp, '0.0.0.0')
    .option('--dns-port <port>', 'DNS port (UDP and TCP)', parsePort, 53)
    .option('--silent-after <intervals>', 'heartbeat intervals a gateway may miss before it is reported silent', parsePositiveInt, 3)
    .option('--webhook <url>', 'send incidents as JSON to this webhook (repeatable); queued durably, retried with backoff', collect, [])
    .option('--syslog <url>', 'send incidents as RFC 5424 + CEF to udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT[?ca=FILE] (repeatable)', collect, [])
    .option('--notify <spec>', "send incidents to [FILTER:]slack+https://..., teams+https://..., discord+https://..., syslog+tls://HOST:6514, mqtt://HOST:1883/tripline?site=NAME, 'smtp://HOST:25?from=A&to=B' (repeatable; docs/notifications.md)", collectSpec, [])
    .option('--whitelist <cidrs>', "the plant's own scanners, e.g. 10.20.0.0/16,192.0.2.7: recorded and marked whitelisted, never notified", parseCidrs)
    .option('--admin-password-file <file>', 'file holding the admin password (or TRIPLINE_ADMIN_PASSWORD); without either, one is generated on first start into DATA/admin-password')
    .option('--allow-cidr <cidrs>', 'networks allowed to reach the dashboard and API, comma-separated (gateway ingest and /healthz stay open)', parseCidrs)
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain); needs --tls-key')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--public-url <url>', 'base URL of URL tokens as the outside sees it, e.g. a reverse proxy (default: --console-url)', parseUrl)
    .option('--real-ip-header <name>', "header a reverse proxy in front of the token path sets to the client's address (e.g. X-Forwarded-For)")
    .option('--public-ip <ip>', "this console's public address, answered for the zone apex and ns1 (or CANARY_PUBLIC_IP)", process.env.CANARY_PUBLIC_IP)
    .action(async (opts) => {
      if (!opts.data) throw new UsageError('console needs --data DIR');
      if (opts.publicIp && !isIPv4(opts.publicIp)) throw new UsageError(`--public-ip ${opts.publicIp} is not an IPv4 address`);
      if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new UsageError('--tls-cert and --tls-key go together');
      checkSpecs(opts.notify);
      const console_ = await startConsole({
        dataDir: opts.data,
        httpHost: opts.httpHost,
        httpPort: opts.httpPort,
        consoleUrl: opts.consoleUrl,
        apiToken: opts.apiToken ?? process.env.TRIPLINE_API_TOKEN,
        dnsZones: opts.domain ?? (process.env.CANARY_DOMAINS ? parseZonesFromEnv(process.env.CANARY_DOMAINS) : []),
        dnsHost: opts.dnsHost,
        dnsPort: opts.dnsPort,
        publicIp: opts.publicIp,
        silentAfterMissed: opts.silentAfter,
        whitelist: opts.whitelist,
        notify: { webhooks: opts.webhook, syslog: opts.syslog, specs: opts.notify },
        adminPassword: readAdminPassword(opts.adminPasswordFile),
        allowCidrs: opts.allowCidr,
        ...(opts.tlsCert ? { tls: { cert: readFileOrExit(opts.tlsCert, '--tls-cert'), key: readFileOrExit(opts.tlsKey, '--tls-key') } } : {}),
        publicUrl: opts.publicUrl,
        realIpHeader: opts.realIpHeader,
        log: createLogger(),
      });
      process.stderr.write(`API token in ${console_.apiTokenFile}\n`);
      if (console_.generatedPasswordFile) process.stderr.write(`dashboard ${console_.url}/ : user admin, generated password in ${console_.generatedPasswordFile} (set your own with --admin-password-file)\n`);
      onShutdown(() => console_.stop());
    });

  cmd
    .command('enroll')
    .description('register a gateway and write its enrollment file (mode 0600)')
    .requiredOption('--name <name>', 'gateway name, e.g. lift-station-07')
    .requiredOption('--out <file>', 'where to write the enrollment file')
    .option('--force', 'overwrite an existing file at --out')
    .option('--data <dir>', "the console's data directory", defaultDataDir())
    .option('--console-url <url>', 'URL the gateway reaches the console at (default: the running console\'s)', parseUrl)
    .option('--domain <zone>', "canary zone the gateway relays into over DNS (default: the running console's first)", (v: string) => parseZones(v)[0]!)
    .action((opts) => {
      if (!opts.data) throw new UsageError('enroll needs --data DIR (the console\'s)');
      if (!opts.force && existsSync(opts.out)) throw new UsageError(`${opts.out} exists (another gateway's enrollment?); choose another --out, or --force`);
      const enrollment = enrollGateway({ dataDir: opts.data, name: opts.name, out: opts.out, consoleUrl: opts.consoleUrl, dnsDomain: opts.domain });
      process.stdout.write(`enrolled ${enrollment.name} as ${enrollment.gatewayId}; enrollment file ${opts.out} (mode 0600, holds the gateway's secret)\n`);
    });
  cmd
    .command('revoke')
    .description("revoke a gateway (a stolen or retired box): everything it sends from now on is refused")
    .requiredOption('--name <name>', 'the gateway, as enrolled')
    .option('--data <dir>', "the console's data directory", defaultDataDir())
    .action((opts) => {
      revokeGatewayByName(opts.data, opts.name);
      process.stdout.write(`revoked ${opts.name}: its messages are refused from now on (within 5 s on a running console)\n`);
    });

  cmd
    .command('rotate')
    .description("give a gateway a new secret and write its new enrollment file; the old secret stops working at once")
    .requiredOption('--name <name>', 'the gateway, as enrolled')
    .requiredOption('--out <file>', 'where to write the new enrollment file (mode 0600)')
    .option('--force', 'overwrite an existing file at --out')
    .option('--data <dir>', "the console's data directory", defaultDataDir())
    .option('--console-url <url>', "URL the gateway reaches the console at (default: the running console's)", parseUrl)
    .action((opts) => {
      if (!opts.force && existsSync(opts.out)) throw new UsageError(`${opts.out} exists; choose another --out, or --force`);
      rotateGatewayByName(opts.data, opts.name, opts.out, opts.consoleUrl);
      process.stdout.write(`rotated ${opts.name}'s secret; new enrollment file ${opts.out}: install it on the gateway and restart it\n`);
    });
  return cmd;
}

/** From the file (first line) or TRIPLINE_ADMIN_PASSWORD; undefined keeps the stored one (or generates one). */
function readAdminPassword(file: string | undefined): string | undefined {
  const value = file ? readFileOrExit(file, '--admin-password-file').toString('utf8').split(/\r?\n/)[0] : process.env.TRIPLINE_ADMIN_PASSWORD;
  if (value === undefined) return undefined;
  const problem = passwordProblem(value);
  if (problem) throw new UsageError(`${file ?? 'TRIPLINE_ADMIN_PASSWORD'}: ${problem}`);
  return value;
}

function readFileOrExit(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as Error).message}`);
  }
}

/** CANARY_DOMAINS, as canarytokens-docker names it; a bad value is the operator's to fix. */
function parseZonesFromEnv(value: string): string[] {
  try {
    return parseZones(value);
  } catch (err) {
    throw new UsageError(`CANARY_DOMAINS: ${(err as Error).message}`);
  }
}

/** `10.20.0.0/16,192.0.2.7`: checked now, so a typo stops the console instead of whitelisting nothing. */
export function parseCidrs(value: string): string[] {
  const cidrs = value.split(',').map((c) => c.trim()).filter(Boolean);
  try {
    new Whitelist(cidrs);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return cidrs;
}

function collect(value: string, previous: string[]): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a URL');
  }
  if (!['http:', 'https:', 'udp:', 'tcp:', 'tls:'].includes(url.protocol)) throw new InvalidArgumentError('expected http(s)://, udp://, tcp:// or tls://');
  return [...previous, value];
}

function collectSpec(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Checked before starting, so a typo stops the console instead of notifying no one. Not in the
 * option parser: commander would echo the whole spec, token and password included.
 */
export function checkSpecs(specs: string[]): void {
  for (const spec of specs) {
    try {
      parseDestinationSpec(spec);
    } catch (err) {
      throw new UsageError(`--notify ${(err as Error).message}`);
    }
  }
}
