import { describe, expect, it } from 'vitest';
import { ProfileError, listBuiltinProfiles, loadProfile, parseProfile } from './load.js';

const minimal = (points: string, modbusExtra = '') => `schemaVersion: 1
name: test-device
identity:
  vendor: ACME
  productCode: X1
  revision: "1.0"
  serial: "123"
modbus:
  units:
    - id: 1
      holdingRegisters: 10
      coils: 8
${modbusExtra}points:
${points}`;

const problems = (text: string): string[] => {
  try {
    parseProfile(text, 'dev.yaml');
  } catch (err) {
    if (err instanceof ProfileError) return err.problems;
    throw err;
  }
  return [];
};

describe('profile loading', () => {
  it('ships a valid default profile with a writable setpoint in registers 0–19', () => {
    expect(listBuiltinProfiles()).toContain('water-lift-station');
    const p = loadProfile('water-lift-station');
    const unit = p.modbus!.units.find((u) => u.id === 1)!;
    expect(unit.holdingRegisters).toBeGreaterThanOrEqual(100);
    expect(p.points.some((pt) => pt.access === 'read-write' && pt.modbus?.table === 'holding-register' && pt.modbus.address < 20)).toBe(true);
  });

  it('names file, line, column and key of a schema error', () => {
    const text = minimal(`  - name: A
    type: uint16
    modbus: { unit: 1, table: holding-register, address: 70000 }
`);
    expect(problems(text)).toEqual([expect.stringMatching(/^dev\.yaml:16:\d+: points\[0\]\.modbus\.address: /)]);
  });

  it('rejects unknown keys, with the key named', () => {
    expect(problems(minimal('  []\n').replace('serial: "123"', 'serial: "123"\n  colour: red'))).toEqual([
      expect.stringMatching(/^dev\.yaml:\d+:\d+: identity: .*colour/),
    ]);
  });

  it('rejects points beyond the table, overlapping points and wrong types', () => {
    const text = minimal(`  - { name: A, type: float32, modbus: { unit: 1, table: holding-register, address: 9 } }
  - { name: B, type: uint16, modbus: { unit: 1, table: holding-register, address: 2 } }
  - { name: C, type: int32, modbus: { unit: 1, table: holding-register, address: 1 } }
  - { name: D, type: uint16, modbus: { unit: 1, table: coil, address: 0 } }
  - { name: E, type: bool, modbus: { unit: 2, table: coil, address: 0 } }
`);
    const found = problems(text).join('\n');
    expect(found).toMatch(/points\[0\]\.modbus\.address: holding-register 9\+2 lies beyond/);
    expect(found).toMatch(/points\[2\]\.modbus\.address: overlaps point "B"/);
    expect(found).toMatch(/points\[3\]\.type: a coil holds bool points only/);
    expect(found).toMatch(/points\[4\]\.modbus\.unit: unit 2 is not in modbus.units/);
  });

  it('allows several bool points in one status word but not on the same bit', () => {
    const ok = minimal(`  - { name: A, type: bool, modbus: { unit: 1, table: holding-register, address: 3, bit: 0 } }
  - { name: B, type: bool, modbus: { unit: 1, table: holding-register, address: 3, bit: 1 } }
`);
    expect(problems(ok)).toEqual([]);
    expect(problems(ok.replace('bit: 1', 'bit: 0')).join()).toMatch(/overlaps point "A"/);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('schemaVersion: 1\nname: [unclosed\n')[0]).toMatch(/^dev\.yaml:\d+:\d+: /);
  });

  it('says which shipped profiles exist when a name is unknown', () => {
    expect(() => loadProfile('no-such-device')).toThrow(/no profile named "no-such-device" \(shipped: .*water-lift-station/);
  });
});

describe('profile value checks', () => {
  it('rejects an initial value the register cannot hold, instead of clamping it', () => {
    const text = minimal(`  - { name: A, type: uint16, scale: { factor: 0.01 }, initial: 900.0, modbus: { unit: 1, table: holding-register, address: 0 } }
`);
    expect(problems(text).join()).toMatch(/points\[0\]\.initial: initial 900 does not fit a uint16 with this scale \(0\.\.655\.35\)/);
  });

  it('shows the offending value for an invalid choice', () => {
    const text = minimal(`  - { name: A, type: float, modbus: { unit: 1, table: holding-register, address: 0 } }
`);
    expect(problems(text).join()).toMatch(/points\[0\]\.type: .*\(got "float"\)/);
  });
});

describe('process and OPC UA sections', () => {
  const point = `  - { name: Level, type: float32, modbus: { unit: 1, table: holding-register, address: 0 } }
  - { name: Run, type: bool, modbus: { unit: 1, table: coil, address: 0 } }
`;
  it('names a process model that refers to a point the profile lacks, with its position', () => {
    const text = `${minimal(point)}process:
  models:
    - { kind: tank, level: Level, min: 0, max: 3, inflow: { mean: 0.01 }, outflows: [{ while: Pump9.Running, rate: 0.02 }] }
`;
    expect(problems(text)).toEqual([expect.stringMatching(/^dev\.yaml:\d+:\d+: process\.models\[0\]\.outflows: no point named "Pump9\.Running"$/)]);
  });

  it('refuses an unknown process model kind and an OPC UA method writing a number to a bool', () => {
    expect(problems(`${minimal(point)}process:\n  models:\n    - { kind: teleport, point: Level }\n`)).toEqual([expect.stringMatching(/^dev\.yaml:\d+:\d+: process\.models\[0\]\.kind: /)]);
    expect(problems(`${minimal(point)}opcua:\n  methods:\n    - { name: Start, writes: { Run: 1 } }\n`)).toEqual([expect.stringMatching(/opcua\.methods\[0\]\.writes\.Run: bool point "Run" cannot take 1$/)]);
  });
});

describe('docs/profiles.md', () => {
  it('has an annotated example that validates', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/profiles.md', import.meta.url), 'utf8');
    const example = /## An annotated example\n\n```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(parseProfile(example, 'docs/profiles.md').name).toBe('booster-station');
  });
});

describe('the shipped library', () => {
  it('gives every profile a per-deployment serial that a scanner can see', async () => {
    const { personalise } = await import('./personalise.js');
    for (const name of listBuiltinProfiles()) {
      const profile = loadProfile(name);
      const a = personalise(profile, Buffer.alloc(32, 1));
      const b = personalise(profile, Buffer.alloc(32, 2));
      expect(a.identity.serial, name).not.toBe(b.identity.serial);
      expect(a.identity.serial.length, name).toBe(profile.identity.serial.length);
      // Shown over Modbus ({serial} in a string point, FC 17 or FC 43) or in the OPC UA identity.
      const text = JSON.stringify([profile.points.map((p) => p.initial), profile.modbus?.serverId, profile.modbus?.deviceIdentification]);
      expect(text.includes('{serial}') || profile.opcua !== undefined, name).toBe(true);
      expect(JSON.stringify(a)).not.toContain('{serial}');
    }
  });
});
