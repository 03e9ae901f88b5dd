/**
 * One decoy device: a profile made this deployment's own, its tag store and plant, its Modbus/TCP
 * server, optionally a Modbus RTU serial line, and (when the profile has one) its OPC UA server.
 * A gateway runs one or several.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { retainWritablePoints } from './retained.js';
import type { Logger } from 'pino';
import type { Profile } from '../profile/schema.js';
import { personalise } from '../profile/personalise.js';
import { TagStore } from '../tags/tag-store.js';
import { ModbusDevice } from '../decoys/modbus/device.js';
import { ModbusTcpServer } from '../decoys/modbus/tcp-server.js';
import { ModbusRtuServer, type ModbusRtuOptions } from '../decoys/modbus/rtu-server.js';
import type { OpcUaDecoy, CredentialCheck } from '../decoys/opcua/server.js';
import type { DecoyFile } from '../decoys/opcua/file-node.js';
import { startProcess } from '../process/scan.js';
import type { HitRecorder } from './recorder.js';
import { derive } from './deployment.js';

export interface DecoySpec {
  profile: Profile;
  /** What hits name as their decoy (default: the profile's name). */
  name?: string;
  modbusHost: string;
  modbusPort: number;
  opcua?: { host?: string; port: number; maxSessions?: number; files?: DecoyFile[] };
  /** Also answer Modbus RTU on this serial line, from the same device memory. */
  rtu?: ModbusRtuOptions;
}

export interface RunningDecoy {
  name: string;
  profile: Profile;
  modbusPort: number;
  opcua: OpcUaDecoy | null;
  /** The RTU serial line's settings, when it has one. */
  rtu: ModbusRtuOptions | null;
  stop(): Promise<void>;
}

/**
 * The first decoy uses the deployment seed and data directory as they are; each further one a
 * seed derived for its name and its own PKI folder, so two decoys of one profile differ too.
 */
export async function startDecoy(
  spec: DecoySpec,
  index: number,
  shared: { seed: Buffer; dataDir: string; recorder: HitRecorder; credentials: CredentialCheck; log: Logger },
): Promise<RunningDecoy> {
  const name = spec.name ?? spec.profile.name;
  const seed = index === 0 ? shared.seed : derive(shared.seed, `decoy:${name}`);
  const dataDir = index === 0 ? shared.dataDir : join(shared.dataDir, 'decoys', name);
  const profile = personalise(spec.profile, seed);
  const log = shared.log.child({ decoy: name });
  const tags = new TagStore(profile);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const retained = retainWritablePoints(profile, tags, join(dataDir, `retained-${name}.json`), (err) => log.warn({ err }, 'retained values could not be kept'));
  const plant = profile.process ? startProcess(profile.process, tags) : null;
  // One device behind both transports: a write over RTU is read back over TCP, and the reverse.
  const device = new ModbusDevice(profile, tags);
  const modbus = new ModbusTcpServer(name, device, shared.recorder, log.child({ component: 'modbus' }), { host: spec.modbusHost, port: spec.modbusPort });
  const rtu = spec.rtu ? new ModbusRtuServer(name, device, tags.unitIds, shared.recorder, log.child({ component: 'modbus-rtu' }), spec.rtu) : null;
  let opcua: OpcUaDecoy | null = null;
  try {
    // OPC UA first: loading node-opcua blocks the event loop for a second or two, which must
    // not stall a Modbus decoy that is already answering.
    if (spec.opcua && profile.opcua) {
      const { OpcUaDecoy } = await import('../decoys/opcua/server.js');
      opcua = await OpcUaDecoy.start({
        profile, tags, seed, dataDir, host: spec.opcua.host ?? spec.modbusHost, port: spec.opcua.port, maxSessions: spec.opcua.maxSessions, files: spec.opcua.files,
        recorder: shared.recorder, credentials: shared.credentials, log: log.child({ component: 'opcua' }), decoyName: name,
      });
    }
    const modbusPort = await modbus.listen();
    await rtu?.open();
    return {
      name,
      profile,
      modbusPort,
      opcua,
      rtu: spec.rtu ?? null,
      async stop() {
        plant?.stop();
        await Promise.all([modbus.close(), rtu?.close(), opcua?.stop()]);
        retained.stop();
      },
    };
  } catch (err) {
    plant?.stop();
    retained.stop();
    await Promise.all([modbus.close().catch(() => {}), rtu?.close(), opcua?.stop()]);
    throw err;
  }
}
