/**
 * Each shipped profile scanned as a fingerprinting scanner would (FC 17, FC 43 objects 0–6, reads
 * across the map, unknown functions and addresses, OPC UA BuildInfo and endpoints): none of the
 * tells that give honeypots away.
 */
import { describe, expect, it } from 'vitest';
import { OPCUAClient, AttributeIds } from 'node-opcua';
import { listBuiltinProfiles, loadProfile } from '../src/profile/load.js';
import { startStack } from './helpers/stack.js';
import { modbusPdu } from './helpers/modbus.js';

/** Strings of protocol libraries and honeypot defaults (Conpot's S7-200 template among them). */
const TELLS = /modbus-serial|pymodbus|node-?opcua|sterfive|conpot|technodrome|88111222|honeypot|mouser factory/i;

describe.each(listBuiltinProfiles())('fingerprinting %s', (name) => {
  it('finds no library or honeypot string, no frozen process, no silent drop, no loopback endpoint', async () => {
    const profile = loadProfile(name);
    const stack = await startStack({ profile: name, opcua: profile.opcua !== undefined });
    try {
      const port = stack.gateway.modbusPort;
      const unit = profile.modbus!.units[0]!;
      const seen: Buffer[] = [];
      const ask = async (hex: string) => {
        const reply = await modbusPdu(port, unit.id, Buffer.from(hex, 'hex'));
        if (reply) seen.push(reply);
        return reply;
      };
      // Identity: FC 17 and FC 43 basic, regular, extended, and each object 0–6.
      await ask('11');
      for (const code of ['01', '02', '03']) await ask(`2b0e${code}00`);
      for (let object = 0; object <= 6; object++) await ask(`2b0e04${object.toString(16).padStart(2, '0')}`);
      // Reads across the whole map, 100 registers at a time.
      const regions: [string, number][] = [['03', unit.holdingRegisters], ['04', unit.inputRegisters], ['01', unit.coils], ['02', unit.discreteInputs]];
      for (const [fc, size] of regions) {
        for (let address = 0; address < size; address += 100) {
          const quantity = Math.min(100, size - address);
          const reply = await ask(`${fc}${address.toString(16).padStart(4, '0')}${quantity.toString(16).padStart(4, '0')}`);
          expect(reply?.[0], `${fc} @${address}`).toBe(Number.parseInt(fc, 16));
        }
        if (size < 65535) {
          // Beyond the map: exception 02, never silence.
          const beyond = await ask(`${fc}${size.toString(16).padStart(4, '0')}0001`);
          expect(beyond && [...beyond], `${fc} beyond ${size}`).toEqual([Number.parseInt(fc, 16) | 0x80, 2]);
        }
      }
      // An unknown function: exception 01, never silence.
      expect([...(await ask('41'))!]).toEqual([0xc1, 1]);
      const modbusText = Buffer.concat(seen).toString('latin1');
      expect(modbusText).not.toMatch(TELLS);

      // The process is live: points a model drives change between two reads 3 s apart.
      if (profile.process) {
        const driven = new Set(profile.process.models.flatMap((m) => ('point' in m ? [m.point] : 'level' in m ? [m.level] : [])));
        const read = async () => Promise.all([...driven].map(async (point) => {
          const binding = profile.points.find((p) => p.name === point)!.modbus!;
          const fc = { coil: '01', 'discrete-input': '02', 'holding-register': '03', 'input-register': '04' }[binding.table];
          return (await ask(`${fc}${binding.address.toString(16).padStart(4, '0')}0002`))?.toString('hex');
        }));
        const before = await read();
        await new Promise((r) => setTimeout(r, 3_000));
        const after = await read();
        const changed = before.filter((v, i) => v !== after[i]).length;
        expect(changed, `driven points that moved in 3 s, of ${driven.size}`).toBeGreaterThanOrEqual(2);
      }

      if (stack.gateway.opcua) {
        const client = OPCUAClient.create({ applicationName: 'UaExpert', endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
        await client.connect(`opc.tcp://127.0.0.1:${stack.gateway.opcua.port}`);
        try {
          const endpoints = await client.getEndpoints();
          for (const e of endpoints) expect(e.endpointUrl).not.toMatch(/127\.0\.0\.1|localhost|\[::1\]/);
          const session = await client.createSession();
          const buildInfo = await session.read({ nodeId: 'i=2260', attributeId: AttributeIds.Value });
          await session.close();
          expect(JSON.stringify({ endpoints, buildInfo: buildInfo.value.value })).not.toMatch(TELLS);
        } finally {
          await client.disconnect();
        }
      }
    } finally {
      await stack.stop();
    }
  }, 120_000);
});
