import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startConsole } from '../console/console.js';
import { enrollGateway } from '../console/enroll.js';
import { apiTokenFile, ensureDataDir, writeAtomic } from '../console/settings.js';
import { startGateway } from '../gateway/gateway.js';
import { loadEnrollment } from '../gateway/enrollment.js';
import { loadProfile } from '../profile/load.js';
import { createLogger } from '../log.js';
import { formatHitLine } from './format.js';
import { onShutdown, parsePort } from './options.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description('run a console and an enrolled gateway together on loopback, for a first look')
    .option('--http-port <port>', 'console HTTP port', parsePort, 8470)
    .option('--modbus-port <port>', 'Modbus/TCP decoy port', parsePort, 5020)
    .option('--data <dir>', 'data directory for both', 'tripline-demo')
    .option('--profile <name|path>', 'device profile', 'water-lift-station')
    .option('--api-token <token>', 'API bearer token (or TRIPLINE_API_TOKEN; generated if absent)')
    .action(async (opts) => {
      const log = createLogger(process.env.TRIPLINE_LOG_LEVEL ?? 'warn');
      const profile = loadProfile(opts.profile);
      const consoleDir = join(opts.data, 'console');
      const gatewayDir = join(opts.data, 'gateway');
      const apiToken: string | undefined = opts.apiToken ?? process.env.TRIPLINE_API_TOKEN;
      if (apiToken) {
        // So that `tripline hits --data` finds the token the demo was given.
        ensureDataDir(consoleDir);
        writeAtomic(apiTokenFile(consoleDir), apiToken + '\n', 0o600);
      }
      const console_ = await startConsole({
        dataDir: consoleDir,
        httpHost: '127.0.0.1',
        httpPort: opts.httpPort,
        apiToken,
        log: log.child({ component: 'console' }),
        onNewHits: (hits) => {
          for (const hit of hits) process.stdout.write(`console: hit  ${formatHitLine(hit)}\n`);
        },
      });
      const enrollmentFile = join(opts.data, 'gateway-enrollment.json');
      if (!existsSync(enrollmentFile)) enrollGateway({ dataDir: consoleDir, name: 'demo-gateway', out: enrollmentFile });
      const gateway = await startGateway({
        enrollment: loadEnrollment(enrollmentFile),
        profile,
        dataDir: gatewayDir,
        modbusHost: '127.0.0.1',
        modbusPort: opts.modbusPort,
        log: log.child({ component: 'gateway' }),
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
          `  decoy PLC  modbus-tcp 127.0.0.1:${gateway.modbusPort}  profile ${profile.name}: ${id.vendor} ${id.productCode}`,
          `  API token  in ${apiTokenFile(consoleDir)}`,
          '',
          'Trigger an alert: read ten holding registers from the decoy (Debian package mbpoll):',
          `  mbpoll -m tcp -a 1 -r 1 -c 10 -t 4 -1 -p ${gateway.modbusPort} 127.0.0.1`,
          'or scan it as an intruder would:',
          `  nmap -p ${gateway.modbusPort} --script modbus-discover 127.0.0.1`,
          '',
          'List the hits the console received:',
          `  node ${self} hits --data ${consoleDir}`,
          `  curl -s -H "Authorization: Bearer $(cat ${apiTokenFile(consoleDir)})" ${console_.url}/api/v1/hits`,
          '',
          'Each hit is also printed here as the console receives it. Ctrl-C stops the demo.',
          '',
        ].join('\n'),
      );
    });
}
