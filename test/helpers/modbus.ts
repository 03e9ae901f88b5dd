/** modbus-serial, the independent Modbus client the tests talk to the decoy with. */
import { createRequire } from 'node:module';
import type ModbusSerial from 'modbus-serial';

// A CommonJS module whose typings declare a default export: load it the CommonJS way.
const require = createRequire(import.meta.url);
export type ModbusClient = ModbusSerial.default;
const ModbusRTU = require('modbus-serial') as typeof ModbusSerial.default;

export async function modbusClient(port: number, unitId = 1): Promise<ModbusClient> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(unitId);
  client.setTimeout(2_000);
  return client;
}
