/** Assembles a gateway: profile → tag store → decoys → recorder → outbox → relay. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Profile } from '../profile/schema.js';
import { TagStore } from '../tags/tag-store.js';
import { ModbusDevice } from '../decoys/modbus/device.js';
import { ModbusTcpServer } from '../decoys/modbus/tcp-server.js';
import { GatewayStore } from './store.js';
import { DurableRecorder } from './recorder.js';
import { HttpChannel } from '../relay/http-channel.js';
import { Relay, type RelayOptions } from '../relay/relay.js';
import type { Enrollment } from './enrollment.js';
import type { Hit } from '../core/hit.js';

export interface GatewayOptions {
  enrollment: Enrollment & { secretBytes: Buffer };
  profile: Profile;
  dataDir: string;
  modbusHost: string;
  modbusPort: number;
  log: Logger;
  relay?: RelayOptions;
  onHit?: (hit: Hit) => void;
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
  const store = new GatewayStore(join(options.dataDir, 'gateway.db'));
  const recorder = new DurableRecorder(store);
  const channel = new HttpChannel({ consoleUrl: enrollment.consoleUrl, gatewayId: enrollment.gatewayId, secret: enrollment.secretBytes });
  const relay = new Relay(store, channel, log.child({ component: 'relay' }), options.relay);
  recorder.onRecorded((hit) => {
    relay.wake();
    options.onHit?.(hit);
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
    store.close();
    throw err;
  }
  relay.start();
  log.info({ gatewayId: enrollment.gatewayId, profile: profile.name, modbus: `${options.modbusHost}:${modbusPort}`, console: enrollment.consoleUrl, outbox: store.outboxDepth() }, 'gateway started');

  return {
    modbusPort,
    store,
    relay,
    async stop() {
      await modbus.close();
      await relay.stop();
      store.close();
    },
  };
}
