/**
 * A register table as vendor manuals print it (name, address, type, unit, scale, access) into a
 * profile skeleton. Addresses in Modicon notation (40001 = holding register 0, 30001 = input
 * register 0, 10001 = discrete input 0, 00001 = coil 0; six digits for 400001 and up) or, with a
 * `table` column, plain 0-based addresses. Pure: text in, profile object out.
 */
import { parse } from 'csv-parse/sync';
import type { ModbusTable } from './schema.js';

export interface ImportOptions {
  name: string;
  vendor?: string;
  productCode?: string;
}

interface Row {
  name?: string;
  address?: string;
  table?: string;
  type?: string;
  unit?: string;
  scale?: string;
  access?: string;
  description?: string;
}

const TYPES: Record<string, string> = {
  bool: 'bool', bit: 'bool', boolean: 'bool', coil: 'bool',
  int16: 'int16', int: 'int16', sint16: 'int16', short: 'int16',
  uint16: 'uint16', word: 'uint16', unsigned: 'uint16', u16: 'uint16',
  int32: 'int32', dint: 'int32', sint32: 'int32', long: 'int32',
  uint32: 'uint32', udint: 'uint32', dword: 'uint32', u32: 'uint32', acc32: 'uint32',
  float32: 'float32', float: 'float32', real: 'float32', f32: 'float32',
};

const TABLES: Record<string, ModbusTable> = {
  coil: 'coil', coils: 'coil', 'discrete-input': 'discrete-input', 'discrete input': 'discrete-input', di: 'discrete-input',
  'holding-register': 'holding-register', 'holding register': 'holding-register', hr: 'holding-register', holding: 'holding-register',
  'input-register': 'input-register', 'input register': 'input-register', ir: 'input-register', input: 'input-register',
};

export class CsvImportError extends Error {}

/** Modicon notation → table and 0-based address. */
function modicon(address: string, line: number): { table: ModbusTable; address: number } {
  if (!/^\d{5,6}$/.test(address)) throw new CsvImportError(`line ${line}: address "${address}" is not Modicon notation (40001, 300001…); add a table column for plain addresses`);
  const table = ({ '0': 'coil', '1': 'discrete-input', '3': 'input-register', '4': 'holding-register' } as const)[address[0] as '0' | '1' | '3' | '4'];
  if (!table) throw new CsvImportError(`line ${line}: address "${address}" names no Modbus table`);
  const offset = Number(address.slice(1)) - 1;
  if (offset < 0 || offset > 65535) throw new CsvImportError(`line ${line}: address "${address}" is out of range`);
  return { table, address: offset };
}

export function importCsv(text: string, options: ImportOptions): object {
  let rows: Row[];
  try {
    rows = parse(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, trim: true, comment: '#' }) as Row[];
  } catch (err) {
    throw new CsvImportError(`not a CSV table: ${(err as Error).message}`);
  }
  const sizes: Record<ModbusTable, number> = { coil: 0, 'discrete-input': 0, 'holding-register': 0, 'input-register': 0 };
  const points = rows.map((row, i) => {
    const line = i + 2;
    if (!row.name || !row.address) throw new CsvImportError(`line ${line}: name and address are required`);
    const name = row.name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[^A-Za-z]+/, 'P_').slice(0, 64);
    const location = row.table
      ? { table: TABLES[row.table.toLowerCase()] ?? fail(`line ${line}: unknown table "${row.table}"`), address: Number(row.address) }
      : modicon(row.address, line);
    if (!Number.isInteger(location.address) || location.address < 0 || location.address > 65535) fail(`line ${line}: address "${row.address}" is out of range`);
    const bitTable = location.table === 'coil' || location.table === 'discrete-input';
    const type = bitTable ? 'bool' : (TYPES[(row.type ?? 'uint16').toLowerCase()] ?? fail(`line ${line}: unknown type "${row.type}"`));
    if (type === 'bool' && !bitTable) fail(`line ${line}: a bool in a register needs a bit; put it in a coil or discrete input, or type it uint16`);
    const words = type === 'int32' || type === 'uint32' || type === 'float32' ? 2 : 1;
    sizes[location.table] = Math.max(sizes[location.table], location.address + (bitTable ? 1 : words));
    const writable = /^(rw|r\/w|read-write|read\/write|w)$/i.test(row.access ?? '') && (location.table === 'coil' || location.table === 'holding-register');
    const scale = row.scale ? Number(row.scale) : undefined;
    return {
      name,
      ...(row.description ? { description: row.description.slice(0, 200) } : {}),
      ...(row.unit ? { unit: row.unit.slice(0, 16) } : {}),
      type,
      ...(scale !== undefined && Number.isFinite(scale) && scale !== 0 && scale !== 1 ? { scale: { factor: scale } } : {}),
      access: writable ? 'read-write' : 'read-only',
      modbus: { unit: 1, table: location.table, address: location.address },
    };
  });
  const round = (n: number) => (n === 0 ? 0 : Math.min(65535, Math.ceil((n + 1) / 100) * 100));
  return {
    schemaVersion: 1,
    name: options.name,
    description: `Imported register table: fill in identity, descriptions and initial values`,
    identity: { vendor: options.vendor ?? 'Unknown vendor', productCode: options.productCode ?? options.name.toUpperCase(), revision: 'V1.0', serial: '00000000' },
    modbus: {
      units: [{ id: 1, coils: round(sizes.coil), discreteInputs: round(sizes['discrete-input']), holdingRegisters: round(sizes['holding-register']), inputRegisters: round(sizes['input-register']) }],
      unknownUnit: 'ignore',
    },
    points,
  };
}

function fail(message: string): never {
  throw new CsvImportError(message);
}
