import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { RtuFramer, encodeRtu, type RtuEvent } from './rtu.js';
import { crc16Modbus } from './crc16.js';
import { interFrameGapMs } from './rtu-constants.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const frame = (address: number, pdu: number[]) => encodeRtu(address, Buffer.from(pdu));
const shape = (events: RtuEvent[]) => events.map((e) => (e.kind === 'frame' ? `frame ${e.raw.toString('hex')}` : `garbage ${e.raw.toString('hex')}`));

describe('CRC-16/MODBUS', () => {
  it('gives the catalogue check value 0x4B37 for "123456789"', () => {
    expect(crc16Modbus(Buffer.from('123456789'))).toBe(0x4b37);
  });

  it('agrees with modbus-serial on every single-byte message and a read request', () => {
    const require = createRequire(import.meta.url);
    const theirs = require('modbus-serial/utils/crc16') as (b: Buffer) => number;
    for (let b = 0; b < 256; b++) expect(crc16Modbus(Buffer.from([b]))).toBe(theirs(Buffer.from([b])));
    // The textbook request: read 10 holding registers from unit 1, CRC C5 CD on the wire.
    expect(encodeRtu(1, Buffer.from([3, 0, 0, 0, 10]))).toEqual(hex('01 03 00 00 00 0A C5 CD'));
  });
});

describe('RTU framer', () => {
  it('reassembles a frame pushed one byte at a time, without waiting for silence', () => {
    const f = new RtuFramer();
    const events = [...hex('01 03 00 00 00 0A C5 CD')].flatMap((b) => f.push(Buffer.from([b])));
    expect(events).toMatchObject([{ kind: 'frame', address: 1, pdu: hex('03 00 00 00 0A') }]);
    expect(f.buffered).toBe(0);
  });

  it('splits frames that arrive back to back in one read, using the byte count of FC 16', () => {
    const write = frame(7, [0x10, 0, 4, 0, 2, 4, 0, 1, 0, 2]);
    const read = frame(7, [0x04, 0, 0, 0, 1]);
    expect(shape(new RtuFramer().push(Buffer.concat([write, read])))).toEqual([`frame ${write.toString('hex')}`, `frame ${read.toString('hex')}`]);
  });

  it('holds a frame with a bad CRC until the line goes quiet, then reports it as garbage', () => {
    const f = new RtuFramer();
    const bad = hex('01 03 00 00 00 0A C5 CE');
    expect(f.push(bad)).toEqual([]);
    expect(f.silence()).toMatchObject([{ kind: 'garbage', raw: bad, reason: 'bad CRC (function 3, 8-byte frame)' }]);
    expect(f.buffered).toBe(0);
  });

  it('skips junk in front of a frame: at once when the junk claims a length, at the pause otherwise', () => {
    const good = frame(1, [6, 0, 5, 0, 42]);
    expect(shape(new RtuFramer().push(Buffer.concat([hex('01 03 33'), good])))).toEqual(['garbage 010333', `frame ${good.toString('hex')}`]);
    // 01 10 …: an FC 16 header whose byte count (05) asks for more bytes than have come.
    const f = new RtuFramer();
    expect(f.push(Buffer.concat([hex('01 10 33'), good]))).toEqual([]);
    expect(shape(f.silence())).toEqual(['garbage 011033', `frame ${good.toString('hex')}`]);
  });

  it('treats a run of bytes above address 247 as one piece of noise, however it trickles in', () => {
    const f = new RtuFramer();
    const events = [0xff, 0xfe, 0xff].flatMap((b) => f.push(Buffer.from([b])));
    expect(events).toEqual([]);
    expect(shape([...f.push(frame(2, [1, 0, 0, 0, 8]))])).toEqual(['garbage fffeff', `frame ${frame(2, [1, 0, 0, 0, 8]).toString('hex')}`]);
  });

  it('ends an unknown function by its CRC, and an FC 08 echo of any length', () => {
    const unknown = frame(1, [0x41, 1, 2, 3]);
    const echo = frame(1, [0x08, 0, 0, 0xde, 0xad, 0xbe, 0xef]);
    expect(shape(new RtuFramer().push(Buffer.concat([unknown, echo])))).toEqual([`frame ${unknown.toString('hex')}`, `frame ${echo.toString('hex')}`]);
  });

  it('gives up on an unknown function with no CRC match when the line goes quiet', () => {
    const f = new RtuFramer();
    expect(f.push(hex('01 41 01 02 03 04'))).toEqual([]);
    expect(f.silence()).toMatchObject([{ kind: 'garbage', reason: 'bad CRC (function 65, no length matches a CRC)' }]);
  });

  it('keeps a frame cut short through a pause (a USB adapter may pause mid-frame), and drops it when it expires', () => {
    const f = new RtuFramer();
    const whole = hex('01 03 00 00 00 0A C5 CD');
    expect(f.push(whole.subarray(0, 5))).toEqual([]);
    expect(f.silence()).toEqual([]);
    expect(f.push(whole.subarray(5))).toMatchObject([{ kind: 'frame', raw: whole }]);
    f.push(whole.subarray(0, 5));
    expect(f.expire()).toMatchObject([{ kind: 'garbage', reason: 'incomplete frame: 5 of 8 bytes, then silence' }]);
    expect(f.buffered).toBe(0);
  });

  it('recognises a frame cut short by the next one', () => {
    const f = new RtuFramer();
    const whole = hex('01 03 00 00 00 0A C5 CD');
    expect(shape(f.push(Buffer.concat([whole.subarray(0, 4), whole])))).toEqual(['garbage 01030000', `frame ${whole.toString('hex')}`]);
  });

  it('never holds more than one ADU of noise', () => {
    const f = new RtuFramer();
    // 0x01 0x10 … with byte count 0xF7: a 256-byte frame that never gets a good CRC.
    const events = f.push(Buffer.concat([hex('01 10 00 00 00 7b f7'), Buffer.alloc(600, 0x11)]));
    expect(f.buffered).toBeLessThanOrEqual(256);
    expect(events.every((e) => e.kind === 'garbage' && e.raw.length <= 256)).toBe(true);
  });
});

describe('inter-frame gap', () => {
  it('is 3.5 characters of 11 bits at 9600 baud 8E1 and 1.75 ms above 19200 baud', () => {
    expect(interFrameGapMs(9600, 'even', 1)).toBeCloseTo(4.01, 2);
    expect(interFrameGapMs(19200, 'none', 2)).toBeCloseTo(2.005, 3);
    expect(interFrameGapMs(115200, 'even', 1)).toBe(1.75);
  });
});
