/** Cross-field rules the schema alone cannot express: bindings must fit the device's memory map. */
import { cellCount, isBitTable } from './layout.js';
import type { Point, Profile } from './schema.js';

export interface ProfileIssue {
  path: (string | number)[];
  message: string;
}

const tableSize = { 'coil': 'coils', 'discrete-input': 'discreteInputs', 'holding-register': 'holdingRegisters', 'input-register': 'inputRegisters' } as const;

export function checkProfile(profile: Profile): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  const names = new Map<string, number>();
  const used = new Map<string, { point: string; bits: number }>();
  const units = new Map((profile.modbus?.units ?? []).map((u) => [u.id, u]));

  profile.points.forEach((point, i) => {
    const at = (...rest: (string | number)[]) => ['points', i, ...rest];
    const seen = names.get(point.name);
    if (seen !== undefined) issues.push({ path: at('name'), message: `duplicate point name "${point.name}" (also points[${seen}])` });
    names.set(point.name, i);

    if (point.type === 'string' && point.length === undefined) issues.push({ path: at('length'), message: 'a string point needs length (characters)' });
    if (point.type !== 'string' && point.length !== undefined) issues.push({ path: at('length'), message: 'length applies to string points only' });
    checkInitial(point, at('initial'), issues);

    const binding = point.modbus;
    if (!binding) return;
    const unit = units.get(binding.unit);
    if (!unit) {
      issues.push({ path: at('modbus', 'unit'), message: `unit ${binding.unit} is not in modbus.units` });
      return;
    }
    const bitTable = isBitTable(binding.table);
    if (bitTable && point.type !== 'bool') issues.push({ path: at('type'), message: `a ${binding.table} holds bool points only` });
    if (binding.bit !== undefined && (bitTable || point.type !== 'bool')) issues.push({ path: at('modbus', 'bit'), message: 'bit applies to bool points in a register table' });
    if (!bitTable && point.type === 'bool' && binding.bit === undefined) issues.push({ path: at('modbus', 'bit'), message: 'a bool point in a register table needs bit (0–15)' });
    if (binding.table === 'discrete-input' || binding.table === 'input-register') {
      if (point.access === 'read-write') issues.push({ path: at('access'), message: `${binding.table}s cannot be written over Modbus` });
    }

    const size = unit[tableSize[binding.table]];
    const cells = cellCount(point);
    if (binding.address + cells > size) {
      issues.push({ path: at('modbus', 'address'), message: `${binding.table} ${binding.address}+${cells} lies beyond the unit's ${size} ${tableSize[binding.table]}` });
      return;
    }
    for (let c = 0; c < cells; c++) {
      const key = `${binding.unit}/${binding.table}/${binding.address + c}`;
      const bitMask = binding.bit === undefined ? 0xffff : 1 << binding.bit;
      const prior = used.get(key);
      if (prior && (prior.bits & bitMask) !== 0) {
        issues.push({ path: at('modbus', 'address'), message: `overlaps point "${prior.point}" at ${binding.table} ${binding.address + c}` });
        break;
      }
      used.set(key, { point: prior ? `${prior.point}` : point.name, bits: (prior?.bits ?? 0) | bitMask });
    }
  });
  // Every point a process model names must exist and hold a value (a Modbus binding).
  profile.process?.models.forEach((model, i) => {
    for (const [key, value] of Object.entries(model)) {
      const refs = key === 'outflows' || key === 'terms' ? (value as { while?: string; when?: string; value?: unknown }[]).flatMap((o) => [o.while, o.when, o.value]) : [value];
      for (const ref of refs) {
        if (typeof ref !== 'string' || key === 'kind') continue;
        const point = profile.points.find((p) => p.name === ref);
        if (!point) issues.push({ path: ['process', 'models', i, key], message: `no point named "${ref}"` });
        else if (!point.modbus) issues.push({ path: ['process', 'models', i, key], message: `"${ref}" has no Modbus binding to hold its value` });
      }
    }
  });
  profile.opcua?.methods.forEach((method, i) => {
    for (const [name, value] of Object.entries(method.writes)) {
      const point = profile.points.find((p) => p.name === name);
      const at = ['opcua', 'methods', i, 'writes', name];
      if (!point) issues.push({ path: at, message: `no point named "${name}"` });
      else if (!point.modbus) issues.push({ path: at, message: `"${name}" has no Modbus binding to hold its value` });
      else if ((point.type === 'bool') !== (typeof value === 'boolean')) issues.push({ path: at, message: `${point.type} point "${name}" cannot take ${JSON.stringify(value)}` });
    }
  });
  return issues;
}

const RAW_RANGE = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38],
} as const;

function checkInitial(point: Point, path: (string | number)[], issues: ProfileIssue[]): void {
  const v = point.initial;
  if (v === undefined) return;
  const want = point.type === 'bool' ? 'boolean' : point.type === 'string' ? 'string' : 'number';
  if (typeof v !== want) issues.push({ path, message: `initial value of a ${point.type} point must be a ${want}` });
  else if (typeof v === 'string' && point.length !== undefined && v.length > point.length) {
    issues.push({ path, message: `initial string longer than length ${point.length}` });
  } else if (typeof v === 'number') {
    // Out of range would be clamped in the registers: a value no real device shows.
    const raw = (v - (point.scale?.offset ?? 0)) / (point.scale?.factor ?? 1);
    const [min, max] = RAW_RANGE[point.type as keyof typeof RAW_RANGE];
    if (!(raw >= min - 0.5 && raw <= max + 0.5)) {
      const lo = min * (point.scale?.factor ?? 1) + (point.scale?.offset ?? 0);
      const hi = max * (point.scale?.factor ?? 1) + (point.scale?.offset ?? 0);
      issues.push({ path, message: `initial ${v} does not fit a ${point.type}${point.scale ? ' with this scale' : ''} (${Math.min(lo, hi)}..${Math.max(lo, hi)})` });
    }
  }
}
