// Peer for bench/modbus-peers.ts: Tripline's Modbus decoy with every request recorded as in
// production (group commit into SQLite, WAL sync per --durability), relay left out.
// Usage: node tripline-server.mjs PORT normal|full   (after `npm run build`)
// Connection limits are raised to 64 (default 8 per source) so the load client's connections,
// all from 127.0.0.1, are served.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { GatewayStore } from '../../dist/gateway/store.js';
import { startWalSync } from '../../dist/gateway/wal-syncer.js';
import { GroupCommitRecorder } from '../../dist/gateway/recorder.js';
import { ModbusTcpServer } from '../../dist/decoys/modbus/tcp-server.js';
import { ModbusDevice } from '../../dist/decoys/modbus/device.js';
import { TagStore } from '../../dist/tags/tag-store.js';
import { loadProfile } from '../../dist/profile/load.js';

const [portArg = '1502', durability = 'normal'] = process.argv.slice(2);
const file = join(mkdtempSync(join(tmpdir(), 'tripline-peer-')), 'gateway.db');
const store = new GatewayStore(file, durability);
startWalSync(store, file, (message) => console.error(message));
const profile = loadProfile('water-lift-station');
const server = new ModbusTcpServer(profile.name, new ModbusDevice(profile, new TagStore(profile)), new GroupCommitRecorder(store), pino({ level: 'silent' }), {
  host: '127.0.0.1',
  port: Number(portArg),
  maxConnections: 64,
  maxConnectionsPerSource: 64,
});
await server.listen();
console.log(`listening ${portArg}`);
process.on('SIGTERM', () => {
  console.error(`recorded ${store.outboxDepth()}`);
  process.exit(0);
});
