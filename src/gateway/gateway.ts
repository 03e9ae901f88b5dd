/** Assembles a gateway: decoys (profile → tag store → protocols) → recorder → outbox → relays. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Profile } from '../profile/schema.js';
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
import type { DecoyFile } from '../decoys/opcua/file-node.js';
import { startDecoy, type DecoySpec, type RunningDecoy } from './decoy-set.js';
import type { ModbusRtuOptions } from '../decoys/modbus/rtu-server.js';

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
  opcua?: { host?: string; port: number; maxSessions?: number; files?: DecoyFile[] };
  /** The first device also answers Modbus RTU on this serial line. */
  rtu?: ModbusRtuOptions;
  /** Further devices this gateway presents, each on its own ports. */
  extraDecoys?: DecoySpec[];
}

export interface RunningGateway {
  modbusPort: number;
  /** The first decoy's OPC UA server, when it serves one. */
  opcua: OpcUaDecoy | null;
  /** Every decoy the gateway presents, the first one first. */
  decoys: RunningDecoy[];
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

  const specs: DecoySpec[] = [
    { profile: options.profile, modbusHost: options.modbusHost, modbusPort: options.modbusPort, opcua: options.opcua, rtu: options.rtu },
    ...(options.extraDecoys ?? []),
  ];
  const shared = { seed, dataDir: options.dataDir, recorder, credentials: new CredentialStore(store.db, seed), log };
  const decoys: RunningDecoy[] = [];
  try {
    const names = new Set<string>();
    for (const [index, spec] of specs.entries()) {
      // Two decoys of one profile need names of their own: hits and incidents tell them apart.
      let name = spec.name ?? spec.profile.name;
      for (let n = 2; names.has(name); n++) name = `${spec.profile.name}-${n}`;
      names.add(name);
      decoys.push(await startDecoy({ ...spec, name }, index, shared));
    }
  } catch (err) {
    await Promise.all(decoys.map((d) => d.stop()));
    await syncer?.stop();
    store.close();
    channels.close();
    throw err;
  }
  const [first] = decoys as [RunningDecoy, ...RunningDecoy[]];
  const modbusPort = first.modbusPort;
  const opcua = first.opcua;
  reports.start();
  relay.start();
  const heartbeater = new Heartbeater(channels.summaries, store, options.heartbeatIntervalSeconds ?? 60, log.child({ component: 'heartbeat' }));
  heartbeater.start();
  log.info({ gatewayId: enrollment.gatewayId, decoys: decoys.map((d) => ({ name: d.name, modbus: `${options.modbusHost}:${d.modbusPort}`, rtu: d.rtu ? `${d.rtu.path} ${d.rtu.baudRate} ${d.rtu.parity} ${d.rtu.stopBits}` : undefined, opcua: d.opcua?.endpointUrl })), console: enrollment.consoleUrl, relay: channels.hits.name, outbox: store.outboxDepth() }, 'gateway started');

  return {
    modbusPort,
    opcua,
    decoys,
    store,
    relay,
    reports,
    dnsQueries: () => channels.dns?.queriesSent ?? 0,
    async stop() {
      heartbeater.stop();
      await Promise.all(decoys.map((d) => d.stop()));
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
