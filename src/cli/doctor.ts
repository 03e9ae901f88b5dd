/**
 * `tripline doctor gateway|console`: checks what would keep alerts from reaching the SOC and
 * says, for each problem, what to do. Exit status 1 when something would stop alerts.
 * Each subcommand takes the options of the service it checks, so the same arguments (e.g.
 * $TRIPLINE_GATEWAY_ARGS from the systemd environment file) can be passed to both.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync } from 'node:fs';
import { diagnoseConsole } from '../doctor/console-checks.js';
import { exitCode, formatReport, type Finding } from '../doctor/finding.js';
import { diagnoseGateway } from '../doctor/gateway-checks.js';
import { systemResolver, type ResolverAddress } from '../relay/dns/resolver-client.js';
import { terminalSafe } from './format.js';
import { collectDecoy } from './gateway.js';
import { defaultDataDir, parseIp, parsePort, parseResolverOption, parseZones } from './options.js';

/** Where docs/install.md puts things. */
export const INSTALLED = {
  enrollment: '/etc/tripline/gateway-enrollment.json',
  gatewayData: '/var/lib/tripline-gateway',
  consoleData: '/var/lib/tripline-console',
};

export function doctorCommand(): Command {
  const cmd = new Command('doctor').description('check that alerts can reach the console, and say how to fix what stops them');
  cmd
    .command('gateway')
    .description("check a gateway: enrollment, profile, decoy ports, outbox and disk, the DNS and HTTP paths to its console, clock skew")
    .option('--enrollment <file>', 'enrollment file', INSTALLED.enrollment)
    .option('--profile <name|path>', 'device profile', 'water-lift-station')
    .option('--modbus-host <ip>', 'address the decoys listen on', parseIp, '0.0.0.0')
    .option('--modbus-port <port>', 'Modbus/TCP port', parsePort, 502)
    .option('--opcua-port <port>', 'OPC UA port', parsePort, 4840)
    .option('--no-opcua', 'the gateway serves no OPC UA')
    .option('--low-memory', 'as the gateway\'s --low-memory: no OPC UA')
    .option('--decoy <profile:modbus-port[:opcua-port]>', 'one more device (repeatable)', collectDecoy, [])
    .option('--data <dir>', "the gateway's data directory", dataDefault(INSTALLED.gatewayData))
    .option('--resolver <ip:port>', 'the DNS resolver the gateway uses (default: the system resolver)', parseResolverOption)
    .option('--no-dns', 'the gateway relays over HTTP only')
    .option('--timeout <seconds>', 'wait this long for each answer', parseSeconds, 3)
    .addOption(new Option('--clock-offset <seconds>', 'pretend this clock is off by this much (testing)').argParser(parseOffset).default(0).hideHelp())
    // The gateway's other options (relay tuning, RTU…) do not matter here: accepted and ignored.
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (opts) => {
      const decoys = opts.decoy as { profile: string; modbusPort: number; opcuaPort?: number }[];
      const findings = await diagnoseGateway({
        enrollmentFile: opts.enrollment,
        profile: opts.profile,
        dataDir: opts.data,
        listenHost: opts.modbusHost,
        ports: [{ port: opts.modbusPort, what: 'Modbus' }, ...decoys.flatMap((d) => [{ port: d.modbusPort, what: `${d.profile} Modbus` }, ...(d.opcuaPort !== undefined ? [{ port: d.opcuaPort, what: `${d.profile} OPC UA` }] : [])])],
        opcuaPort: opts.opcua && !opts.lowMemory ? opts.opcuaPort : undefined,
        dns: opts.dns,
        resolver: () => (opts.resolver as ResolverAddress | undefined) ?? systemResolver(),
        timeoutMs: opts.timeout * 1000,
        clockOffsetMs: opts.clockOffset * 1000,
      });
      report('tripline doctor: gateway', findings);
    });

  cmd
    .command('console')
    .description('check a console host: data, HTTP and DNS ports (systemd-resolved on 53?), zone delegation, TLS certificate')
    .option('--data <dir>', "the console's data directory", dataDefault(INSTALLED.consoleData))
    .option('--http-host <ip>', 'address the console listens on for HTTP', parseIp, '0.0.0.0')
    .option('--http-port <port>', 'HTTP port', parsePort, 8470)
    .option('--dns-host <ip>', 'address the DNS server listens on', parseIp, '0.0.0.0')
    .option('--dns-port <port>', 'DNS port', parsePort, 53)
    .option('--domain <zones>', "canary zone(s) (default: the console's, from its data directory)", parseZones)
    .option('--console-url <url>', "URL gateways reach the console at (default: the console's, from its data directory)")
    .option('--resolver <ip:port>', 'a recursive resolver to look the zone up through, as gateways would (default: the system resolver)', parseResolverOption)
    .option('--tls-cert <file>', "the TLS proxy's certificate (PEM): checked for expiry")
    .option('--timeout <seconds>', 'wait this long for each answer', parseSeconds, 3)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (opts) => {
      const findings = await diagnoseConsole({
        dataDir: opts.data,
        httpHost: opts.httpHost,
        httpPort: opts.httpPort,
        dnsHost: opts.dnsHost,
        dnsPort: opts.dnsPort,
        zones: opts.domain ?? (process.env.CANARY_DOMAINS ? parseZones(process.env.CANARY_DOMAINS) : undefined),
        consoleUrl: opts.consoleUrl,
        resolver: () => (opts.resolver as ResolverAddress | undefined) ?? systemResolver(),
        tlsCert: opts.tlsCert,
        timeoutMs: opts.timeout * 1000,
      });
      report('tripline doctor: console', findings);
    });
  return cmd;
}

function report(title: string, findings: Finding[]): void {
  process.stdout.write(formatReport(title, findings, terminalSafe));
  process.exitCode = exitCode(findings);
}

/** $STATE_DIRECTORY under systemd, else the installed location when it exists. */
function dataDefault(installed: string): string | undefined {
  return defaultDataDir() ?? (existsSync(installed) ? installed : undefined);
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 60)) throw new InvalidArgumentError('expected seconds, more than 0 and at most 60');
  return n;
}

function parseOffset(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number of seconds (negative: behind)');
  return n;
}
