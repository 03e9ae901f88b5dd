/** How many registers a point occupies, and which table cells: shared by validation and the tag store. */
import type { DataType, ModbusTable, Point } from './schema.js';

export function registerCount(type: DataType, length = 0): number {
  switch (type) {
    case 'bool':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'string':
      return Math.ceil(length / 2);
  }
}

export function isBitTable(table: ModbusTable): boolean {
  return table === 'coil' || table === 'discrete-input';
}

/** Number of table cells (bits or registers) the point's Modbus binding covers. */
export function cellCount(point: Point): number {
  if (!point.modbus) return 0;
  return isBitTable(point.modbus.table) ? 1 : registerCount(point.type, point.length);
}
