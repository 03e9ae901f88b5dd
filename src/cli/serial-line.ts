/** `--rtu PATH[:BAUD[:PARITY[:STOPBITS]]]`: a serial line, its unset settings taken from the profile. */
import { InvalidArgumentError } from 'commander';
import type { Profile } from '../profile/schema.js';
import type { SerialLine } from '../decoys/modbus/rtu-server.js';
import type { Parity } from '../decoys/modbus/codec/rtu-constants.js';

export type SerialLineArg = Pick<SerialLine, 'path'> & Partial<Omit<SerialLine, 'path'>>;

/** Modbus over Serial Line v1.02 §2.5.1: 19200 baud, even parity, 1 stop bit. */
const SPEC_DEFAULTS = { baudRate: 19200, parity: 'even', stopBits: 1 } as const;

const PARITIES: Record<string, Parity> = { n: 'none', none: 'none', e: 'even', even: 'even', o: 'odd', odd: 'odd' };

export function parseSerialLine(value: string): SerialLineArg {
  // The path is the shortest prefix that leaves well-formed settings: by-path names hold colons.
  const match = /^(.+?)(?::(\d+)(?::([A-Za-z]+)(?::(\d+))?)?)?$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected PATH[:BAUD[:PARITY[:STOPBITS]]], e.g. /dev/ttyUSB0:9600:even:1');
  const [, path, baud, parity, stop] = match;
  const line: SerialLineArg = { path: path! };
  if (baud !== undefined) {
    const baudRate = Number(baud);
    if (baudRate < 300 || baudRate > 921600) throw new InvalidArgumentError(`baud rate ${baud} outside 300–921600`);
    line.baudRate = baudRate;
  }
  if (parity !== undefined) {
    const p = PARITIES[parity.toLowerCase()];
    if (!p) throw new InvalidArgumentError(`parity ${parity}: expected none, even or odd (N, E, O)`);
    line.parity = p;
  }
  if (stop !== undefined) {
    if (stop !== '1' && stop !== '2') throw new InvalidArgumentError(`stop bits ${stop}: expected 1 or 2`);
    line.stopBits = stop === '1' ? 1 : 2;
  }
  return line;
}

/** What the command line leaves unset comes from the profile's `modbus.rtu`, then the spec. */
export function serialLineFor(arg: SerialLineArg, profile: Profile): SerialLine {
  const device = profile.modbus?.rtu;
  return {
    path: arg.path,
    baudRate: arg.baudRate ?? device?.baudRate ?? SPEC_DEFAULTS.baudRate,
    parity: arg.parity ?? device?.parity ?? SPEC_DEFAULTS.parity,
    stopBits: arg.stopBits ?? device?.stopBits ?? SPEC_DEFAULTS.stopBits,
  };
}
