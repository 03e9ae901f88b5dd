import { Command, Option } from 'commander';
import { startGateway } from '../gateway/gateway.js';
import { loadEnrollment } from '../gateway/enrollment.js';
import { loadProfile } from '../profile/load.js';
import { createLogger } from '../log.js';
import { parseResolver, systemResolver } from '../relay/dns/resolver-client.js';
import { defaultDataDir, onShutdown, parseIp, parsePort, parsePositiveInt, UsageError } from './options.js';

export function gatewayCommand(): Command {
  return new Command('gateway')
    .description('run a gateway: decoy PLCs from a device profile, relaying every hit to the console')
    .requiredOption('--enrollment <file>', 'enrollment file from `tripline console enroll`')
    .option('--profile <name|path>', 'device profile: a shipped name or a YAML file', 'water-lift-station')
    .option('--modbus-host <ip>', 'address the Modbus/TCP decoy listens on (all interfaces by default)', parseIp, '0.0.0.0')
    .option('--modbus-port <port>', 'Modbus/TCP port', parsePort, 502)
    .option('--data <dir>', 'data directory (hit database and outbox)', defaultDataDir())
    .option('--resolver <ip:port>', 'DNS resolver for the DNS relay (default: the system resolver, as nslookup uses)')
    .option('--no-dns', 'relay over HTTP only, even if the enrollment names a DNS zone')
    .option('--dns-retry <seconds>', 'after DNS fails, use HTTP this long before trying DNS again', parsePositiveInt, 60)
    .option('--canarytoken <hostname>', 'also report new incidents as lookups of this Canarytokens DNS token')
    .addOption(new Option('--durability <mode>', 'normal: commits survive a crash, reach the disk within ~1 s; full: every reply waits for the disk').choices(['normal', 'full']).default('normal'))
    .action(async (opts) => {
      if (!opts.data) throw new UsageError('gateway needs --data DIR');
      const enrollment = loadEnrollment(opts.enrollment);
      const profile = loadProfile(opts.profile);
      const resolver = () => (opts.resolver ? parseResolver(opts.resolver) : systemResolver());
      const gateway = await startGateway({
        dns: opts.dns && enrollment.dnsDomain ? { resolver: resolver(), retryMs: opts.dnsRetry * 1000 } : undefined,
        canarytoken: opts.canarytoken ? { hostname: opts.canarytoken, resolver: resolver() } : undefined,
        durability: opts.durability,
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
