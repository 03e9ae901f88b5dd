/**
 * The decoy device's memory: one image per Modbus unit, the single source of truth that every
 * decoy protocol reads and writes. Named points are views onto it.
 */
import { isBitTable, cellCount } from '../profile/layout.js';
import type { ModbusTable, Point, Profile } from '../profile/schema.js';
import type { Table } from '../decoys/modbus/codec/request.js';
import { decodeWords, encodeWords, type PointValue } from './encoding.js';

/** A hit names at most this many points (a 2000-coil read may touch hundreds). */
export const MAX_POINTS_NAMED = 64;

const tableKey: Record<ModbusTable, Table> = {
  'coil': 'coils',
  'discrete-input': 'discreteInputs',
  'holding-register': 'holdingRegisters',
  'input-register': 'inputRegisters',
};

export class UnitMemory {
  readonly coils: Uint8Array;
  readonly discreteInputs: Uint8Array;
  readonly holdingRegisters: Uint16Array;
  readonly inputRegisters: Uint16Array;
  /** Cells covered by a read-only point: a protocol write there is refused. */
  readonly readOnly: Record<Table, Uint8Array>;
  /** Which points cover each cell (several bools share a status word), to name what a request touched. */
  readonly pointAt: Record<Table, (string[] | undefined)[]>;

  constructor(readonly id: number, sizes: Record<Table, number>) {
    this.coils = new Uint8Array(sizes.coils);
    this.discreteInputs = new Uint8Array(sizes.discreteInputs);
    this.holdingRegisters = new Uint16Array(sizes.holdingRegisters);
    this.inputRegisters = new Uint16Array(sizes.inputRegisters);
    this.readOnly = {
      coils: new Uint8Array(sizes.coils),
      discreteInputs: new Uint8Array(sizes.discreteInputs),
      holdingRegisters: new Uint8Array(sizes.holdingRegisters),
      inputRegisters: new Uint8Array(sizes.inputRegisters),
    };
    this.pointAt = { coils: [], discreteInputs: [], holdingRegisters: [], inputRegisters: [] };
  }

  size(table: Table): number {
    return this[table].length;
  }

  inRange(table: Table, address: number, quantity: number): boolean {
    return address + quantity <= this[table].length;
  }

  isWritable(table: 'coils' | 'holdingRegisters', address: number, quantity: number): boolean {
    const ro = this.readOnly[table];
    for (let a = address; a < address + quantity; a++) if (ro[a]) return false;
    return true;
  }

  /** Names of the points in a range, in address order, without repeats, at most MAX_POINTS_NAMED. */
  pointsIn(table: Table, address: number, quantity: number): string[] {
    const cells = this.pointAt[table];
    const out = new Set<string>();
    for (let a = address; a < address + quantity && a < cells.length; a++) {
      for (const name of cells[a] ?? []) {
        if (out.size >= MAX_POINTS_NAMED) return [...out];
        out.add(name);
      }
    }
    return [...out];
  }
}

export class TagStore {
  private readonly units = new Map<number, UnitMemory>();
  private readonly points = new Map<string, Point>();

  constructor(profile: Profile) {
    for (const unit of profile.modbus?.units ?? []) this.units.set(unit.id, new UnitMemory(unit.id, unit));
    for (const point of profile.points) {
      this.points.set(point.name, point);
      const binding = point.modbus;
      if (!binding) continue;
      const memory = this.units.get(binding.unit)!;
      const table = tableKey[binding.table];
      for (let c = 0; c < cellCount(point); c++) {
        (memory.pointAt[table][binding.address + c] ??= []).push(point.name);
        if (point.access === 'read-only') memory.readOnly[table][binding.address + c] = 1;
      }
      if (point.initial !== undefined) this.write(point.name, point.initial);
    }
  }

  unit(id: number): UnitMemory | undefined {
    return this.units.get(id);
  }

  get unitIds(): number[] {
    return [...this.units.keys()];
  }

  point(name: string): Point | undefined {
    return this.points.get(name);
  }

  read(name: string): PointValue {
    const { point, memory, table, address } = this.locate(name);
    if (isBitTable(point.modbus!.table)) return memory[table as 'coils'][address] === 1;
    const words = memory[table as 'holdingRegisters'];
    if (point.type === 'bool') return ((words[address]! >> point.modbus!.bit!) & 1) === 1;
    return decodeWords(point, words.subarray(address, address + cellCount(point)));
  }

  /** Writes in engineering units; the process model and non-Modbus decoys use this. */
  write(name: string, value: PointValue): void {
    const { point, memory, table, address } = this.locate(name);
    if (isBitTable(point.modbus!.table)) {
      memory[table as 'coils'][address] = value === true || value === 1 ? 1 : 0;
      return;
    }
    const words = memory[table as 'holdingRegisters'];
    if (point.type === 'bool') {
      const mask = 1 << point.modbus!.bit!;
      words[address] = value === true || value === 1 ? words[address]! | mask : words[address]! & ~mask;
      return;
    }
    words.set(encodeWords(point, value), address);
  }

  private locate(name: string) {
    const point = this.points.get(name);
    if (!point?.modbus) throw new Error(`no Modbus-bound point named ${name}`);
    const memory = this.units.get(point.modbus.unit)!;
    return { point, memory, table: tableKey[point.modbus.table], address: point.modbus.address };
  }
}
