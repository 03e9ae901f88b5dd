import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { DecoyFile } from '../decoys/opcua/file-node.js';
import { MAX_IMAGE_BYTES } from '../stubs/firmware.js';
import { join } from 'node:path';
import { DEFAULT_OUTBOX_LIMIT, GatewayStore } from '../gateway/store.js';
import { terminalSafe } from './format.js';
import { startGateway } from '../gateway/gateway.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadDeploymentSeed } from '../gateway/deployment.js';
import { CredentialStore, newPassword, newUserName } from '../gateway/credentials.js';
import { opcUaIdentity, type OpcUaIdentity } from '../decoys/opcua/identity.js';
import { personalise } from '../profile/personalise.js';
import { loadEnrollment } from '../gateway/enrollment.js';
import { loadProfile } from '../profile/load.js';
import { createLogger } from '../log.js';
import { systemResolver, type ResolverAddress } from '../relay/dns/resolver-client.js';
import { SerialLineError } from '../decoys/modbus/rtu-server.js';
import { parseSerialLine, serialLineFor, type SerialLineArg } from './serial-line.js';
import { defaultDataDir, onShutdown, parseIp, parsePort, parsePositiveInt, parseResolverOption, UsageError } from './options.js';

export function gatewayCommand(): Command {
  const cmd = new Command('gateway')
    .description('run a gateway: decoy PLCs from a device profile, relaying every hit to the console')
    // `gateway status --data X`: options after a subcommand belong to the subcommand.
    .enablePositionalOptions()
    // Checked in the action, not by commander: `gateway status` needs no enrollment.
    .option('--enrollment <file>', 'enrollment file from `tripline console enroll` (required)')
    .option('--profile <name|path>', 'device profile: a shipped name or a YAML file', 'water-lift-station')
    .option('--modbus-host <ip>', 'address the Modbus/TCP decoy listens on (all interfaces by default)', parseIp, '0.0.0.0')
    .option('--modbus-port <port>', 'Modbus/TCP port', parsePort, 502)
    .option('--opcua-port <port>', 'OPC UA port, when the profile has an OPC UA server', parsePort, 4840)
    .option('--no-opcua', 'do not serve the profile\'s OPC UA server')
    .option('--opcua-file <file>', 'offer this file (a stamped stub: `tripline stub stamp`) under the OPC UA device object; reading it is a hit (repeatable)', collectFile, [])
    .option('--low-memory', 'for small boards: no OPC UA server, a smaller SQLite page cache (see docs/raspberry-pi.md)')
    .option('--rtu <path[:baud[:parity[:stopbits]]]>', 'also answer Modbus RTU on this serial port (unset settings: the profile\'s, else 19200 even 1)', parseSerialLine)
    .option('--rtu-shared-bus', 'the serial line also carries live devices: record only frames for the decoy\'s own addresses and broadcasts')
    .option('--decoy <profile:modbus-port[:opcua-port]>', 'one more device on its own ports (repeatable)', collectDecoy, [])
    .option('--data <dir>', 'data directory (hit database and outbox)', defaultDataDir())
    .option('--resolver <ip:port>', 'DNS resolver for the DNS relay (default: the system resolver, as nslookup uses)', parseResolverOption)
    .option('--no-dns', 'relay over HTTP only, even if the enrollment names a DNS zone')
    .option('--dns-retry <seconds>', 'after DNS fails, use HTTP this long before trying DNS again', parsePositiveInt, 60)
    .option('--dns-hit-budget <queries>', 'DNS queries per minute for hit detail beyond incident summaries (0: none, "unlimited")', parseHitBudget, 20)
    .option('--canarytoken <hostname>', 'also report new incidents as lookups of this Canarytokens DNS token')
    .option('--heartbeat-interval <seconds>', 'seconds between heartbeats to the console', parsePositiveInt, 60)
    .option('--outbox-limit <entries>', 'undelivered hits kept whole; past it, repeated low-value hits are counted instead', parsePositiveInt, DEFAULT_OUTBOX_LIMIT)
    .addOption(new Option('--durability <mode>', 'normal: commits survive a crash, reach the disk within ~1 s; full: every reply waits for the disk').choices(['normal', 'full']).default('normal'))
    .action(async (opts) => {
      if (!opts.enrollment) throw new UsageError('gateway needs --enrollment FILE (from `tripline console enroll`)');
      if (!opts.data) throw new UsageError('gateway needs --data DIR');
      if (opts.rtuSharedBus && !opts.rtu) throw new UsageError('--rtu-shared-bus needs --rtu PATH');
      const enrollment = loadEnrollment(opts.enrollment);
      const profile = loadProfile(opts.profile);
      const resolver = () => (opts.resolver as ResolverAddress | undefined) ?? systemResolver();
      const gateway = await startGateway({
        dns: opts.dns && enrollment.dnsDomain ? { resolver: resolver(), retryMs: opts.dnsRetry * 1000, hitBudget: opts.dnsHitBudget === null ? null : { burst: opts.dnsHitBudget, perMinute: opts.dnsHitBudget } } : undefined,
        canarytoken: opts.canarytoken ? { hostname: opts.canarytoken, resolver: resolver() } : undefined,
        durability: opts.durability,
        heartbeatIntervalSeconds: opts.heartbeatInterval,
        outboxLimit: opts.outboxLimit,
        enrollment,
        profile,
        dataDir: opts.data,
        modbusHost: opts.modbusHost,
        modbusPort: opts.modbusPort,
        opcua: opts.opcua && !opts.lowMemory ? { host: opts.modbusHost, port: opts.opcuaPort, files: (opts.opcuaFile as string[]).map(decoyFile) } : undefined,
        rtu: opts.rtu ? { ...serialLineFor(opts.rtu as SerialLineArg, profile), recordOtherAddresses: !opts.rtuSharedBus } : undefined,
        extraDecoys: (opts.decoy as DecoyArg[]).map((d) => ({
          profile: loadProfile(d.profile),
          modbusHost: opts.modbusHost,
          modbusPort: d.modbusPort,
          opcua: d.opcuaPort !== undefined && !opts.lowMemory ? { host: opts.modbusHost, port: d.opcuaPort } : undefined,
        })),
        log: createLogger(),
      }).catch((err: unknown) => {
        // A serial port that will not open is the operator's to fix, like a port in use.
        throw err instanceof SerialLineError ? new UsageError(err.message) : err;
      });
      // OPC UA (node-opcua) is most of a gateway's memory; SQLite's page cache (2 MiB by
      // default) is the next thing that grows under a flood of hits.
      if (opts.lowMemory) gateway.store.db.pragma(`cache_size = -${LOW_MEMORY_SQLITE_CACHE_KIB}`);
      onShutdown(() => gateway.stop());
    });

  const credential = cmd.command('credential').description('credential canaries: logins only an intruder would have');
  credential
    .command('new')
    .description('create a user name and password the OPC UA decoy accepts, and a connection profile to plant')
    .requiredOption('--memo <text>', 'where you plant it (comes back with every login)')
    .requiredOption('--out <file>', 'where to write the connection profile (an INI file, mode 0600)')
    .option('--data <dir>', "the gateway's data directory", defaultDataDir())
    .option('--profile <name|path>', "the gateway's device profile", 'water-lift-station')
    .option('--opcua-port <port>', "the gateway's OPC UA port", parsePort, 4840)
    .option('--user <name>', 'user name (default: a plausible engineering account)')
    .action(async (opts) => {
      if (!opts.data) throw new UsageError("credential new needs --data DIR (the gateway's)");
      const memo = String(opts.memo).slice(0, 200);
      const user = opts.user ? String(opts.user) : newUserName();
      if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(user)) throw new UsageError('--user: letters, digits, _ . @ - (max 64)');
      const password = newPassword();
      const profile = loadProfile(opts.profile);
      mkdirSync(opts.data, { recursive: true, mode: 0o700 });
      const seed = loadDeploymentSeed(opts.data);
      const store = new GatewayStore(join(opts.data, 'gateway.db'));
      try {
        await new CredentialStore(store.db, seed).add(user, password, memo);
      } catch (err) {
        if (/UNIQUE/.test(String(err))) throw new UsageError(`a credential for user ${user} exists already`);
        throw err;
      } finally {
        store.close();
      }
      const identity = opcUaIdentity(personalise(profile, seed), seed);
      writeFileSync(opts.out, connectionProfile(identity, opts.opcuaPort, user, password), { mode: 0o600, flag: 'wx' });
      process.stdout.write(`credential canary for ${user} written to ${opts.out}; plant it where only an intruder would look (${terminalSafe(memo)})\n`);
    });

  cmd
    .command('status')
    .description("print the gateway's outbox and relay state from its data directory")
    .option('--data <dir>', "the gateway's data directory", defaultDataDir())
    .action((opts) => {
      if (!opts.data) throw new UsageError('status needs --data DIR (the gateway\'s)');
      const file = join(opts.data, 'gateway.db');
      if (!existsSync(file)) throw new UsageError(`no gateway database in ${opts.data}`);
      const store = new GatewayStore(file);
      try {
        const lines = [
          `outbox depth          ${store.outboxDepth()}`,
          `oldest undelivered    ${store.oldestPendingAt() ?? '-'}`,
          `unreported incidents  ${store.unreportedIncidents()}`,
        ];
        lines.push(`folded hits           ${store.foldedTotal()}`);
        for (const f of store.folds(10)) {
          lines.push(`  ${String(f.count).padStart(8)}  ${terminalSafe(f.srcIp)} → ${terminalSafe(f.decoy)} ${f.functionCode === null ? f.outcome : `FC${f.functionCode} ${f.outcome}`}  last ${f.lastAt}`);
        }
        for (const [channel, state] of Object.entries(store.channelStates())) {
          lines.push(`${channel.padEnd(22)}last ack ${state.lastSuccessAt ?? 'never'}; last failure ${state.lastFailureAt ?? 'never'}${state.lastError ? ` (${terminalSafe(state.lastError)})` : ''}`);
        }
        process.stdout.write(lines.join('\n') + '\n');
      } finally {
        store.close();
      }
    });
  return cmd;
}

/** SQLite page cache in --low-memory mode, KiB. */
const LOW_MEMORY_SQLITE_CACHE_KIB = 512;

/** A non-negative whole number of queries per minute, or `unlimited` (null). */
function parseHitBudget(value: string): number | null {
  if (value === 'unlimited') return null;
  if (!/^\d{1,6}$/.test(value)) throw new InvalidArgumentError('expected a whole number of queries per minute, or "unlimited"');
  return Number(value);
}

/** A connection profile as an engineer's OPC UA client exports it: the bait. */
function connectionProfile(identity: OpcUaIdentity, port: number, user: string, password: string): string {
  return [
    `; OPC UA connection profile - ${identity.rootObject}`,
    `; exported ${new Date().toISOString().slice(0, 10)}`,
    '[Connection]',
    `Name=${identity.rootObject}`,
    `EndpointUrl=opc.tcp://${identity.hostname}:${port}`,
    `ServerUri=${identity.applicationUri}`,
    'SecurityPolicy=http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256',
    'SecurityMode=SignAndEncrypt',
    'AuthenticationType=UserName',
    `UserName=${user}`,
    `Password=${password}`,
    '',
  ].join('\n');
}

interface DecoyArg {
  profile: string;
  modbusPort: number;
  opcuaPort?: number;
}

/** `--decoy pv-inverter-sunspec:5021[:4841]`, repeatable. */
export function collectDecoy(value: string, previous: DecoyArg[]): DecoyArg[] {
  const match = /^([^:]+):(\d{1,5})(?::(\d{1,5}))?$/.exec(value);
  const port = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  if (!match || port(match[2])! > 65535 || (match[3] !== undefined && port(match[3])! > 65535)) {
    throw new InvalidArgumentError('expected PROFILE:MODBUS_PORT or PROFILE:MODBUS_PORT:OPCUA_PORT');
  }
  return [...previous, { profile: match[1]!, modbusPort: port(match[2])!, opcuaPort: port(match[3]) }];
}

const collectFile = (value: string, previous: string[]) => [...previous, value];

/** A stub offered over OPC UA: read whole at start, bounded like any image. */
function decoyFile(path: string): DecoyFile {
  if (!existsSync(path)) throw new UsageError(`--opcua-file ${path} does not exist`);
  if (statSync(path).size > MAX_IMAGE_BYTES) throw new UsageError(`--opcua-file ${path} is larger than ${MAX_IMAGE_BYTES} bytes`);
  return { name: basename(path), bytes: readFileSync(path) };
}
