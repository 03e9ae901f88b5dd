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
import { DnsChannel } from '../relay/dns/dns-channel.js';
import { FallbackChannel } from '../relay/fallback.js';
import type { ResolverAddress } from '../relay/dns/resolver-client.js';
import { CanarytokensNotifier } from '../relay/canarytokens/notifier.js';
import type { Enrollment } from './enrollment.js';
import type { Hit } from '../core/hit.js';
import type { ChannelState } from '../core/heartbeat.js';
import { TrackedChannel } from '../relay/tracked-channel.js';
import { Heartbeater } from './heartbeat.js';

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
  dns?: { resolver: ResolverAddress; zone?: string; retryMs?: number; timeoutMs?: number };
  /** Also report new incidents to a stock Canarytokens server's DNS token. */
  canarytoken?: { hostname: string; resolver: ResolverAddress };
  onHit?: (hit: Hit) => void;
  /** Outbox entries before repeated low-value hits are folded into counts. */
  outboxLimit?: number;
  /** Seconds between heartbeats (default 60). */
  heartbeatIntervalSeconds?: number;
}

export interface RunningGateway {
  modbusPort: number;
  store: GatewayStore;
  relay: Relay;
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { enrollment, profile, log } = options;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const dbFile = join(options.dataDir, 'gateway.db');
  const store = new GatewayStore(dbFile, options.durability ?? 'normal', options.outboxLimit);
  // `normal` durability: the WAL reaches the disk within ~1 s, synced off the event loop.
  const syncer = startWalSync(store, dbFile, (message) => log.error({ err: message }, 'WAL sync failed'));
  const recorder = new GroupCommitRecorder(store);
  const channel = relayChannel(options, (name, state) => store.saveChannelState(name, state));
  const relay = new Relay(store, channel, log.child({ component: 'relay' }), options.relay);
  const canarytokens = options.canarytoken
    ? new CanarytokensNotifier({ ...options.canarytoken, gatewayName: enrollment.name }, log.child({ component: 'canarytokens' }))
    : null;
  recorder.onRecorded((hits) => {
    relay.wake();
    for (const hit of hits) {
      canarytokens?.onHit(hit);
      options.onHit?.(hit);
    }
  });

  const tags = new TagStore(profile);
  const modbus = new ModbusTcpServer(profile.name, new ModbusDevice(profile, tags), recorder, log.child({ component: 'modbus' }), {
    host: options.modbusHost,
    port: options.modbusPort,
  });
  let modbusPort: number;
  try {
    modbusPort = await modbus.listen();
  } catch (err) {
    await syncer?.stop();
    store.close();
    channel.close?.();
    throw err;
  }
  relay.start();
  const heartbeater = new Heartbeater(channel, store, options.heartbeatIntervalSeconds ?? 60, log.child({ component: 'heartbeat' }));
  heartbeater.start();
  log.info({ gatewayId: enrollment.gatewayId, profile: profile.name, modbus: `${options.modbusHost}:${modbusPort}`, console: enrollment.consoleUrl, relay: channel.name, outbox: store.outboxDepth() }, 'gateway started');

  return {
    modbusPort,
    store,
    relay,
    async stop() {
      heartbeater.stop();
      await modbus.close();
      await relay.stop();
      channel.close?.();
      canarytokens?.close();
      await syncer?.stop();
      store.close();
    },
  };
}

/** DNS first with HTTP fallback when the enrollment names a zone and DNS is on; else HTTP. */
function relayChannel(options: GatewayOptions, onState: (channel: string, state: ChannelState) => void): RelayChannel {
  const { enrollment } = options;
  const http = new TrackedChannel(new HttpChannel({ consoleUrl: enrollment.consoleUrl, gatewayId: enrollment.gatewayId, secret: enrollment.secretBytes }), onState);
  const zone = options.dns?.zone ?? enrollment.dnsDomain;
  if (!options.dns || !zone) return http;
  const dns = new TrackedChannel(new DnsChannel({ gatewayId: enrollment.gatewayId, secret: enrollment.secretBytes, zone, resolver: options.dns.resolver, timeoutMs: options.dns.timeoutMs }), onState);
  return new FallbackChannel(dns, http, options.dns.retryMs ?? 60_000);
}
