/**
 * The profile library: every shipped profile validates; the PV inverter answers the SunSpec way
 * (to Debian's mbpoll too); serials differ between deployments and survive restarts.
 */
import { describe, expect, it } from 'vitest';
import { listBuiltinProfiles, loadProfile } from '../src/profile/load.js';
import { startStack, type Stack } from './helpers/stack.js';
import { modbusClient } from './helpers/modbus.js';
import { hasTool } from './helpers/net.js';
import { CLI, runAsync } from './helpers/cli.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const text = (words: number[]) => Buffer.from(words.flatMap((w) => [w >> 8, w & 0xff])).toString('latin1').replace(/\0+$/, '');

async function sunspecSerial(stack: Stack): Promise<string> {
  const client = await modbusClient(stack.gateway.modbusPort);
  try {
    return text((await client.readHoldingRegisters(40052, 16)).data);
  } finally {
    client.close(() => {});
  }
}

describe('profile library', () => {
  it('validates every shipped profile', () => {
    const names = listBuiltinProfiles();
    expect(names).toEqual(expect.arrayContaining(['water-lift-station', 'pv-inverter-sunspec']));
    for (const name of names) expect(() => loadProfile(name), name).not.toThrow();
  });

  it('serves SunSpec on the PV inverter: "SunS" at 40000, common model 1, inverter model 103, end model', async () => {
    const stack = await startStack({ profile: 'pv-inverter-sunspec' });
    try {
      if (hasTool('mbpoll', 'SunSpec marker via mbpoll')) {
        const out = await runAsync('mbpoll', ['-m', 'tcp', '-a', '1', '-0', '-r', '40000', '-c', '2', '-t', '4:hex', '-1', '-p', String(stack.gateway.modbusPort), '127.0.0.1']);
        expect(out.stdout).toMatch(/\[40000\]:\s+0x5375/);
        expect(out.stdout).toMatch(/\[40001\]:\s+0x6E53/i);
      }
      const client = await modbusClient(stack.gateway.modbusPort);
      const models: number[] = [];
      let address = 40002;
      for (let i = 0; i < 10; i++) {
        const [id, length] = (await client.readHoldingRegisters(address, 2)).data as [number, number];
        models.push(id);
        if (id === 0xffff) break;
        if (id === 1) expect(text((await client.readHoldingRegisters(address + 2, 16)).data)).toBe('Fronius');
        address += 2 + length;
      }
      expect(models).toEqual([1, 103, 0xffff]);
      // Scale factors are signed and the values move with the sun (day or night, the frequency walks).
      expect(((await client.readHoldingRegisters(40072 + 15, 1)).data[0]! << 16) >> 16).toBe(-2);
      client.close(() => {});
    } finally {
      await stack.stop();
    }
  }, 30_000);

  it('gives each deployment its own serial, kept across restarts', async () => {
    const a = await startStack({ profile: 'pv-inverter-sunspec' });
    const b = await startStack({ profile: 'pv-inverter-sunspec' });
    try {
      const first = await sunspecSerial(a);
      expect(first).toMatch(/^30\d{6}$/);
      expect(first).not.toBe('30174455');
      expect(await sunspecSerial(b)).not.toBe(first);
      await a.stopGateway();
      await a.startGateway();
      expect(await sunspecSerial(a)).toBe(first);
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 30_000);
});

describe('profile import', () => {
  it('turns a manual\'s register table into a profile that validates and serves those registers', async () => {
    const csv = fileURLToPath(new URL('./fixtures/chlorinator-registers.csv', import.meta.url));
    const out = join(mkdtempSync(join(tmpdir(), 'tripline-import-')), 'chlorinator.yaml');
    const made = await runAsync(process.execPath, [CLI, 'profile', 'import-csv', csv, '--name', 'chlorinator-import', '--vendor', 'ProMinent', '--out', out]);
    expect(made.status, made.stderr).toBe(0);
    const checked = await runAsync(process.execPath, [CLI, 'profile', 'validate', out]);
    expect(checked.stdout).toMatch(/ok \(chlorinator-import, 8 points\)/);
    const profile = loadProfile(out);
    expect(profile.points.find((p) => p.name === 'Total_dosed')!.modbus).toMatchObject({ table: 'holding-register', address: 9 });
    expect(profile.points.find((p) => p.name === 'Remote_enable')).toMatchObject({ access: 'read-write', modbus: { table: 'coil', address: 0 } });
    const stack = await startStack({ profile: out });
    try {
      const client = await modbusClient(stack.gateway.modbusPort);
      await client.writeRegister(1, 150); // chlorine setpoint 1.50 mg/L, writable
      expect((await client.readHoldingRegisters(0, 2)).data).toEqual([0, 150]);
      expect((await client.readInputRegisters(0, 2)).data).toHaveLength(2);
      await expect(client.writeRegister(9, 1)).rejects.toThrow(); // read-only total
      client.close(() => {});
    } finally {
      await stack.stop();
    }
    const bad = await runAsync(process.execPath, [CLI, 'profile', 'import-csv', join(tmpdir(), 'missing.csv'), '--name', 'x']);
    expect(bad.status).toBe(2);
  }, 30_000);
});

describe('several decoys on one gateway', () => {
  it('presents each device on its own port, with its own identity, and names it in hits', async () => {
    const stack = await startStack({ extraDecoys: [{ profile: 'pv-inverter-sunspec' }, { profile: 'pv-inverter-sunspec' }] });
    try {
      expect(stack.gateway.decoys.map((d) => d.name)).toEqual(['water-lift-station', 'pv-inverter-sunspec', 'pv-inverter-sunspec-2']);
      const serials: string[] = [];
      for (const decoy of stack.gateway.decoys.slice(1)) {
        const client = await modbusClient(decoy.modbusPort);
        expect((await client.readHoldingRegisters(40000, 2)).data).toEqual([0x5375, 0x6e53]);
        serials.push(text((await client.readHoldingRegisters(40052, 16)).data));
        client.close(() => {});
      }
      expect(serials[0]).not.toBe(serials[1]);
      const lift = await modbusClient(stack.gateway.decoys[0]!.modbusPort);
      await lift.readHoldingRegisters(0, 2);
      lift.close(() => {});
      const { waitFor } = await import('./helpers/net.js');
      const decoys = await waitFor(async () => {
        const names = new Set((await stack.hits('?limit=100')).map((h) => h.decoy));
        return names.size >= 3 ? names : undefined;
      }, 10_000, 'hits from all three decoys');
      expect([...decoys].sort()).toEqual(['pv-inverter-sunspec', 'pv-inverter-sunspec-2', 'water-lift-station']);
    } finally {
      await stack.stop();
    }
  }, 30_000);
});

describe('retentive memory', () => {
  it('keeps a written setpoint across a gateway restart, as a PLC retains it', async () => {
    const stack = await startStack();
    try {
      let client = await modbusClient(stack.gateway.modbusPort);
      await client.writeRegister(0, 250);
      client.close(() => {});
      await stack.stopGateway();
      await stack.startGateway();
      client = await modbusClient(stack.gateway.modbusPort);
      expect((await client.readHoldingRegisters(0, 2)).data).toEqual([250, 60]);
      client.close(() => {});
    } finally {
      await stack.stop();
    }
  }, 30_000);
});
