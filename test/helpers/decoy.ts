/** A Modbus decoy alone (no relay): a real socket, a real SQLite recorder, any profile. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayStore } from '../../src/gateway/store.js';
import { GroupCommitRecorder } from '../../src/gateway/recorder.js';
import { ModbusTcpServer, type ModbusTcpOptions } from '../../src/decoys/modbus/tcp-server.js';
import { ModbusDevice } from '../../src/decoys/modbus/device.js';
import { TagStore } from '../../src/tags/tag-store.js';
import { loadProfile } from '../../src/profile/load.js';
import { silentLog } from './stack.js';

export interface Decoy {
  port: number;
  store: GatewayStore;
  server: ModbusTcpServer;
  stop(): Promise<void>;
}

export async function startDecoy(profile: string, options: Partial<ModbusTcpOptions> = {}): Promise<Decoy> {
  const store = new GatewayStore(join(mkdtempSync(join(tmpdir(), 'tripline-decoy-')), 'gateway.db'));
  const loaded = loadProfile(profile);
  const server = new ModbusTcpServer(loaded.name, new ModbusDevice(loaded, new TagStore(loaded)), new GroupCommitRecorder(store), silentLog, { host: '127.0.0.1', port: 0, ...options });
  const port = await server.listen();
  return {
    port,
    store,
    server,
    async stop() {
      await server.close();
      store.close();
    },
  };
}
