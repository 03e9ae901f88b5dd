/** Assembles a gateway: profile → tag store → decoys → recorder → outbox → relay. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Profile } from '../profile/schema.js';
import { TagStore } from '../tags/tag-store.js';
import { ModbusDevice } from '../decoys/modbus/device.js';
import { ModbusTcpServer } from '../decoys/modbus/tcp-server.js';
import { GatewayStore, type Durability } from './store.js';
import { startWalSync } from './wal-syncer.js';
import { GroupCommitRecorder } from './recorder.js';
import { HttpChannel } from '../relay/http-channel.js';
import { Relay, type RelayOptions } from '../relay/relay.js';
import type { RelayChannel } from '../relay/channel.js';
import { DEFAULT_DNS_HIT_BUDGET, DnsChannel } from '../relay/dns/dns-channel.js';
import { ReportRelay } from '../relay/report-relay.js';
import { FallbackChannel } from '../relay/fallback.js';
import type { ResolverAddress } from '../relay/dns/resolver-client.js';
import { CanarytokensNotifier } from '../relay/canarytokens/notifier.js';
import type { Enrollment } from './enrollment.js';
import type { Hit } from '../core/hit.js';
import type { ChannelState } from '../core/heartbeat.js';
import { TrackedChannel } from '../relay/tracked-channel.js';
import { Heartbeater } from './heartbeat.js';
import { loadDeploymentSeed } from './deployment.js';
import { CredentialStore } from './credentials.js';
import type { OpcUaDecoy } from '../decoys/opcua/server.js';
import { startProcess } from '../process/scan.js';
import { personalise } from '../profile/personalise.js';

export interface GatewayOptions {
  enrollment: Enrollment & { secretBytes: Buffer };
  profile: Profile;
  dataDir: string;
  modbusHost: string;
  modbusPort: number;
  log: Logger;
  relay?: RelayOptions;
  /** `normal`: commits survive a killed process, the WAL reaches the disk within ~1 s; `full`: every reply waits for the sync. */
  durability?: Durability;
  /** Relay over DNS first (through this resolver), HTTP as fallback. Without it: HTTP only. */
  dns?: { resolver: ResolverAddress; zone?: string; retryMs?: number; timeoutMs?: number; hitBudget?: { burst: number; perMinute: number } | null };
  /** Also report new incidents to a stock Canarytokens server's DNS token. */
  canarytoken?: { hostname: string; resolver: ResolverAddress };
  onHit?: (hit: Hit) => void;
  /** Outbox entries before repeated low-value hits are folded into counts. */
  outboxLimit?: number;
  /** Seconds between heartbeats (default 60). */
  heartbeatIntervalSeconds?: number;
  /** Serve the profile's OPC UA server on this port (0: any free port); off when absent or the profile has none. */
  opcua?: { host?: string; port: number; maxSessions?: number };
}

export interface RunningGateway {
  modbusPort: number;
  /** The OPC UA decoy, when the gateway serves one. */
  opcua: OpcUaDecoy | null;
  store: GatewayStore;
  relay: Relay;
  reports: ReportRelay;
  /** Queries the DNS channel sent, if DNS is on. */
  dnsQueries(): number;
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { enrollment, log } = options;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const seed = loadDeploymentSeed(options.dataDir);
  const profile = personalise(options.profile, seed);
  const dbFile = join(options.dataDir, 'gateway.db');
  const store = new GatewayStore(dbFile, options.durability ?? 'normal', options.outboxLimit);
  // `normal` durability: the WAL reaches the disk within ~1 s, synced off the event loop.
  const syncer = startWalSync(store, dbFile, (message) => log.error({ err: message }, 'WAL sync failed'));
  const recorder = new GroupCommitRecorder(store);
  const channels = relayChannels(options, (name, state) => store.saveChannelState(name, state));
  const relay = new Relay(store, channels.hits, log.child({ component: 'relay' }), options.relay);
  const reports = new ReportRelay(store, channels.summaries, log.child({ component: 'reports' }), options.relay?.backoff);
  const canarytokens = options.canarytoken
    ? new CanarytokensNotifier({ ...options.canarytoken, gatewayName: enrollment.name }, log.child({ component: 'canarytokens' }))
    : null;
  recorder.onRecorded((hits) => {
    reports.wake();
    relay.wake();
    for (const hit of hits) {
      canarytokens?.onHit(hit);
      options.onHit?.(hit);
    }
  });

  const tags = new TagStore(profile);
  const plant = profile.process ? startProcess(profile.process, tags) : null;
  const modbus = new ModbusTcpServer(profile.name, new ModbusDevice(profile, tags), recorder, log.child({ component: 'modbus' }), {
    host: options.modbusHost,
    port: options.modbusPort,
  });
  let modbusPort: number;
  let opcua: OpcUaDecoy | null = null;
  try {
    // OPC UA first: loading node-opcua blocks the event loop for a second or two, which must
    // not stall a Modbus decoy that is already answering.
    if (options.opcua && profile.opcua) {
      const { OpcUaDecoy } = await import('../decoys/opcua/server.js');
      opcua = await OpcUaDecoy.start({
        profile, tags, seed, dataDir: options.dataDir, host: options.opcua.host ?? options.modbusHost, port: options.opcua.port,
        maxSessions: options.opcua.maxSessions, recorder, credentials: new CredentialStore(store.db, seed), log: log.child({ component: 'opcua' }),
      });
    }
    modbusPort = await modbus.listen();
  } catch (err) {
    plant?.stop();
    await Promise.all([modbus.close().catch(() => {}), opcua?.stop()]);
    await syncer?.stop();
    store.close();
    channels.close();
    throw err;
  }
  reports.start();
  relay.start();
  const heartbeater = new Heartbeater(channels.summaries, store, options.heartbeatIntervalSeconds ?? 60, log.child({ component: 'heartbeat' }));
  heartbeater.start();
  log.info({ gatewayId: enrollment.gatewayId, profile: profile.name, modbus: `${options.modbusHost}:${modbusPort}`, opcua: opcua?.endpointUrl, console: enrollment.consoleUrl, relay: channels.hits.name, outbox: store.outboxDepth() }, 'gateway started');

  return {
    modbusPort,
    opcua,
    store,
    relay,
    reports,
    dnsQueries: () => channels.dns?.queriesSent ?? 0,
    async stop() {
      heartbeater.stop();
      plant?.stop();
      await Promise.all([modbus.close(), opcua?.stop()]);
      await Promise.all([relay.stop(), reports.stop()]);
      channels.close();
      canarytokens?.close();
      await syncer?.stop();
      store.close();
    },
  };
}

interface Channels {
  /** Incident summaries and heartbeats: small and urgent, DNS first. */
  summaries: RelayChannel;
  /** Hit detail: DNS within its budget, the rest over HTTP. */
  hits: RelayChannel;
  dns: DnsChannel | null;
  close(): void;
}

/** DNS first with HTTP fallback when the enrollment names a zone and DNS is on; else HTTP. */
function relayChannels(options: GatewayOptions, onState: (channel: string, state: ChannelState) => void): Channels {
  const { enrollment } = options;
  const http = new TrackedChannel(new HttpChannel({ consoleUrl: enrollment.consoleUrl, gatewayId: enrollment.gatewayId, secret: enrollment.secretBytes }), onState);
  const zone = options.dns?.zone ?? enrollment.dnsDomain;
  if (!options.dns || !zone) return { summaries: http, hits: http, dns: null, close: () => http.close() };
  // `hitBudget: null` lifts the budget (a DNS-only site that wants every hit's detail over DNS).
  const hitBudget = options.dns.hitBudget === null ? undefined : (options.dns.hitBudget ?? DEFAULT_DNS_HIT_BUDGET);
  const dns = new DnsChannel({ gatewayId: enrollment.gatewayId, secret: enrollment.secretBytes, zone, resolver: options.dns.resolver, timeoutMs: options.dns.timeoutMs, hitBudget });
  const trackedDns = new TrackedChannel(dns, onState);
  const retryMs = options.dns.retryMs ?? 60_000;
  return {
    summaries: new FallbackChannel(trackedDns, http, retryMs),
    hits: new FallbackChannel(trackedDns, http, retryMs),
    dns,
    close: () => {
      dns.close();
      http.close();
    },
  };
}
