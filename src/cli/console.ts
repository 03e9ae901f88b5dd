import { Command } from 'commander';
import { startConsole } from '../console/console.js';
import { enrollGateway } from '../console/enroll.js';
import { createLogger } from '../log.js';
import { defaultDataDir, onShutdown, parsePort, UsageError } from './options.js';

export function consoleCommand(): Command {
  const cmd = new Command('console')
    .description('run the console: gateway ingest, API and metrics for the SOC')
    // `console enroll --data X`: options after a subcommand belong to the subcommand.
    .enablePositionalOptions()
    .option('--data <dir>', 'data directory (database, API token, public settings)', defaultDataDir())
    .option('--http-host <host>', 'address to listen on', '0.0.0.0')
    .option('--http-port <port>', 'HTTP port', parsePort, 8470)
    .option('--console-url <url>', 'URL gateways reach this console at (written into enrollment files)')
    .option('--api-token <token>', 'bearer token for the API (or TRIPLINE_API_TOKEN; generated and stored in the data dir if absent)')
    .action(async (opts) => {
      if (!opts.data) throw new UsageError('console needs --data DIR');
      const console_ = await startConsole({
        dataDir: opts.data,
        httpHost: opts.httpHost,
        httpPort: opts.httpPort,
        consoleUrl: opts.consoleUrl,
        apiToken: opts.apiToken ?? process.env.TRIPLINE_API_TOKEN,
        log: createLogger(),
      });
      if (console_.apiTokenFile) process.stderr.write(`API token stored in ${console_.apiTokenFile}\n`);
      onShutdown(() => console_.stop());
    });

  cmd
    .command('enroll')
    .description('register a gateway and write its enrollment file (mode 0600)')
    .requiredOption('--name <name>', 'gateway name, e.g. lift-station-07')
    .requiredOption('--out <file>', 'where to write the enrollment file')
    .option('--data <dir>', "the console's data directory", defaultDataDir())
    .option('--console-url <url>', 'URL the gateway reaches the console at (default: the running console\'s)')
    .action((opts) => {
      if (!opts.data) throw new UsageError('enroll needs --data DIR (the console\'s)');
      const enrollment = enrollGateway({ dataDir: opts.data, name: opts.name, out: opts.out, consoleUrl: opts.consoleUrl });
      process.stdout.write(`enrolled ${enrollment.name} as ${enrollment.gatewayId}; enrollment file ${opts.out} (mode 0600, holds the gateway's secret)\n`);
    });
  return cmd;
}
