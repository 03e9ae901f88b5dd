import { Command } from 'commander';
import { startGateway } from '../gateway/gateway.js';
import { loadEnrollment } from '../gateway/enrollment.js';
import { loadProfile } from '../profile/load.js';
import { createLogger } from '../log.js';
import { defaultDataDir, onShutdown, parsePort, UsageError } from './options.js';

export function gatewayCommand(): Command {
  return new Command('gateway')
    .description('run a gateway: decoy PLCs from a device profile, relaying every hit to the console')
    .requiredOption('--enrollment <file>', 'enrollment file from `tripline console enroll`')
    .option('--profile <name|path>', 'device profile: a shipped name or a YAML file', 'water-lift-station')
    .option('--modbus-host <host>', 'address the Modbus/TCP decoy listens on', '0.0.0.0')
    .option('--modbus-port <port>', 'Modbus/TCP port', parsePort, 502)
    .option('--data <dir>', 'data directory (hit database and outbox)', defaultDataDir())
    .action(async (opts) => {
      if (!opts.data) throw new UsageError('gateway needs --data DIR');
      const enrollment = loadEnrollment(opts.enrollment);
      const profile = loadProfile(opts.profile);
      const gateway = await startGateway({
        enrollment,
        profile,
        dataDir: opts.data,
        modbusHost: opts.modbusHost,
        modbusPort: opts.modbusPort,
        log: createLogger(),
      });
      onShutdown(() => gateway.stop());
    });
}
