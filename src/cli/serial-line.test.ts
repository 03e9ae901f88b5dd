import { describe, expect, it } from 'vitest';
import { parseSerialLine, serialLineFor } from './serial-line.js';
import { loadProfile } from '../profile/load.js';

describe('--rtu PATH[:BAUD[:PARITY[:STOPBITS]]]', () => {
  it('reads each setting that is given and leaves the rest to the profile', () => {
    expect(parseSerialLine('/dev/ttyUSB0')).toEqual({ path: '/dev/ttyUSB0' });
    expect(parseSerialLine('/dev/ttyUSB0:9600')).toEqual({ path: '/dev/ttyUSB0', baudRate: 9600 });
    expect(parseSerialLine('/dev/ttyS1:38400:N:2')).toEqual({ path: '/dev/ttyS1', baudRate: 38400, parity: 'none', stopBits: 2 });
    expect(parseSerialLine('/dev/ttyS1:9600:odd')).toEqual({ path: '/dev/ttyS1', baudRate: 9600, parity: 'odd' });
  });

  it('keeps the colons of a by-path device name in the path', () => {
    const path = '/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0';
    expect(parseSerialLine(`${path}:115200:E:1`)).toEqual({ path, baudRate: 115200, parity: 'even', stopBits: 1 });
  });

  it('says which setting is wrong', () => {
    expect(() => parseSerialLine('/dev/ttyUSB0:9600:X')).toThrow(/parity X: expected none, even or odd/);
    expect(() => parseSerialLine('/dev/ttyUSB0:9600:E:3')).toThrow(/stop bits 3/);
    expect(() => parseSerialLine('/dev/ttyUSB0:12')).toThrow(/baud rate 12 outside/);
  });

  it('fills the profile\'s factory settings, then the spec\'s 19200 8E1', () => {
    const profile = loadProfile('water-lift-station');
    expect(serialLineFor({ path: '/dev/ttyUSB0' }, profile)).toEqual({ path: '/dev/ttyUSB0', baudRate: 19200, parity: 'even', stopBits: 1 });
    const withPort = { ...profile, modbus: { ...profile.modbus!, rtu: { baudRate: 9600, parity: 'none' as const, stopBits: 2 as const } } };
    expect(serialLineFor({ path: '/dev/ttyUSB0', baudRate: 4800 }, withPort)).toEqual({ path: '/dev/ttyUSB0', baudRate: 4800, parity: 'none', stopBits: 2 });
  });
});
