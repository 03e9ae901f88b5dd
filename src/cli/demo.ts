import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startConsole } from '../console/console.js';
import { checkSpecs, parseCidrs } from './console.js';
import { enrollGateway } from '../console/enroll.js';
import { apiTokenFile, writeAtomic } from '../console/settings.js';
import { initialPasswordFile } from '../console/auth/admin.js';
import { Enrollment } from '../gateway/enrollment.js';
import { startGateway } from '../gateway/gateway.js';
import { loadEnrollment } from '../gateway/enrollment.js';
import { loadProfile } from '../profile/load.js';
import { createLogger } from '../log.js';
import { terminalSafe, formatHitLine } from './format.js';
import { onShutdown, parsePort } from './options.js';

/** `.internal` is reserved for private use: it never leaks to the public DNS. */
const DEMO_ZONE = 'canary.tripline.internal';

export function demoCommand(): Command {
  return new Command('demo')
    .description('run a console and an enrolled gateway together on loopback, for a first look')
    .option('--http-port <port>', 'console HTTP port', parsePort, 8470)
    .option('--modbus-port <port>', 'Modbus/TCP decoy port', parsePort, 5020)
    .option('--opcua-port <port>', 'OPC UA decoy port (when the profile has an OPC UA server)', parsePort, 4840)
    .option('--dns-port <port>', "console's DNS port; the gateway relays over DNS straight to it", parsePort, 8053)
    .option('--domain <zone>', 'canary zone the console serves', DEMO_ZONE)
    .option('--data <dir>', 'data directory for both', 'tripline-demo')
    .option('--profile <name|path>', 'device profile', 'water-lift-station')
    .option('--api-token <token>', 'API bearer token (or TRIPLINE_API_TOKEN; generated if absent)')
    .option('--notify <spec>', 'also send incidents to this destination, as `tripline console --notify` (repeatable; see docs/notifications.md)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--whitelist <cidrs>', "sources to treat as the plant's own scanners, e.g. 127.0.0.9/32: recorded, never notified", parseCidrs)
    .action(async (opts) => {
      checkSpecs(opts.notify);
      const log = createLogger(process.env.TRIPLINE_LOG_LEVEL ?? 'warn');
      const profile = loadProfile(opts.profile);
      const consoleDir = join(opts.data, 'console');
      const gatewayDir = join(opts.data, 'gateway');
      const apiToken: string | undefined = opts.apiToken ?? process.env.TRIPLINE_API_TOKEN;
      const console_ = await startConsole({
        dataDir: consoleDir,
        httpHost: '127.0.0.1',
        httpPort: opts.httpPort,
        apiToken,
        dnsZones: [opts.domain],
        dnsHost: '127.0.0.1',
        dnsPort: opts.dnsPort,
        adminPassword: process.env.TRIPLINE_ADMIN_PASSWORD,
        notify: { specs: opts.notify },
        whitelist: opts.whitelist,
        log: log.child({ role: 'console' }),
        onNewHits: (hits, _gatewayId, via) => {
          for (const hit of hits) process.stdout.write(`console: hit via ${via}  ${formatHitLine(hit)}\n`);
        },
        onTokenHit: (hit) => {
          const what = hit.dns ? `${hit.dns.queryType} ${hit.dns.name}${hit.dns.data !== undefined ? ` data ${JSON.stringify(hit.dns.data)}` : ''}` : `${hit.http?.method} ${hit.http?.path} ${JSON.stringify(hit.http?.userAgent ?? '')}`;
          process.stdout.write(terminalSafe(`console: canary token hit via ${hit.channel} from ${hit.src.ip ?? 'unknown'}  "${hit.memo}"  ${what}${hit.alerted ? '' : ' (disabled: not notified)'}`) + '\n');
        },
      });
      const enrollmentFile = join(opts.data, 'gateway-enrollment.json');
      if (!existsSync(enrollmentFile)) enrollGateway({ dataDir: consoleDir, name: 'demo-gateway', out: enrollmentFile });
      else refreshEnrollment(enrollmentFile, console_.url, opts.domain);
      const gateway = await startGateway({
        enrollment: loadEnrollment(enrollmentFile),
        profile,
        dataDir: gatewayDir,
        modbusHost: '127.0.0.1',
        modbusPort: opts.modbusPort,
        opcua: { host: '127.0.0.1', port: opts.opcuaPort },
        // No site resolver in a demo: the console's DNS server is the resolver.
        dns: { resolver: { host: '127.0.0.1', port: console_.dnsPort! }, zone: opts.domain, retryMs: 10_000 },
        log: log.child({ role: 'gateway' }),
        relay: { backoff: { initialMs: 200, maxMs: 5_000 } },
      });
      onShutdown(async () => {
        await gateway.stop();
        await console_.stop();
      });

      const self = relative(process.cwd(), process.argv[1] ?? 'dist/cli/main.js') || 'dist/cli/main.js';
      const id = profile.identity;
      process.stdout.write(
        [
          '',
          'Tripline demo is running.',
          `  console    ${console_.url}  (data ${consoleDir})`,
          `  DNS        zone ${opts.domain} on 127.0.0.1:${console_.dnsPort} (UDP and TCP): hits relay over DNS, HTTP as fallback`,
          `  decoy PLC  modbus-tcp 127.0.0.1:${gateway.modbusPort}  profile ${profile.name}: ${id.vendor} ${id.productCode}`,
          ...(gateway.opcua ? [`  decoy PLC  opc.tcp://127.0.0.1:${gateway.opcua.port}  (announces itself as ${gateway.opcua.endpointUrl})`] : []),
          `  API token  in ${apiTokenFile(consoleDir)}`,
          `  dashboard  ${console_.url}/  user admin, password ${process.env.TRIPLINE_ADMIN_PASSWORD ? 'from TRIPLINE_ADMIN_PASSWORD' : `in ${initialPasswordFile(consoleDir)}`}`,
          '',
          'Trigger an alert: read ten holding registers from the decoy (Debian package mbpoll):',
          `  mbpoll -m tcp -a 1 -r 1 -c 10 -t 4 -1 -p ${gateway.modbusPort} 127.0.0.1`,
          'or scan it as an intruder would:',
          // nmap runs modbus-discover on 502 only, unless forced with '+'.
          `  nmap -n -p ${gateway.modbusPort} --script ${gateway.modbusPort === 502 ? '' : '+'}modbus-discover 127.0.0.1`,
          '',
          ...(gateway.opcua ? ['or browse its OPC UA server with any OPC UA client (anonymous, security None or Basic256Sha256).', ''] : []),
          'List the hits the console received:',
          `  node ${self} hits --data ${consoleDir}`,
          `  curl -s -H "Authorization: Bearer $(cat ${apiTokenFile(consoleDir)})" ${console_.url}/api/v1/hits`,
          '',
          'Check the setup as an installer would (each check explains itself and its remedy):',
          `  node ${self} doctor gateway --enrollment ${enrollmentFile} --data ${gatewayDir} --profile ${opts.profile} --modbus-host 127.0.0.1 --modbus-port ${gateway.modbusPort}${gateway.opcua ? ` --opcua-port ${gateway.opcua.port}` : ' --no-opcua'} --resolver 127.0.0.1:${console_.dnsPort}`,
          `  node ${self} doctor console --data ${consoleDir} --http-host 127.0.0.1 --http-port ${console_.httpPort} --dns-host 127.0.0.1 --dns-port ${console_.dnsPort} --resolver 127.0.0.1:${console_.dnsPort}`,
          '',
          'Ask the console\'s DNS server directly:',
          `  dig @127.0.0.1 -p ${console_.dnsPort} SOA ${opts.domain}`,
          '',
          'Each hit is also printed here as the console receives it, with the channel it came by. Ctrl-C stops the demo.',
          '',
        ].join('\n'),
      );
    });
}

/** A demo run on other ports keeps its gateway identity but must reach this run's console. */
function refreshEnrollment(file: string, consoleUrl: string, dnsDomain: string): void {
  const current = Enrollment.parse(JSON.parse(readFileSync(file, 'utf8')));
  writeAtomic(file, JSON.stringify({ ...current, consoleUrl, dnsDomain }, null, 2) + '\n', 0o600);
}
