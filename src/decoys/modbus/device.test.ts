import { describe, expect, it } from 'vitest';
import { ModbusDevice } from './device.js';
import { TagStore } from '../../tags/tag-store.js';
import { loadProfile } from '../../profile/load.js';

const u16 = (v: number) => [v >> 8, v & 0xff];
const setup = () => {
  const profile = loadProfile('water-lift-station');
  const tags = new TagStore(profile);
  return { device: new ModbusDevice(profile, tags), tags };
};
const run = (device: ModbusDevice, unit: number, ...bytes: number[]) => device.execute(unit, Buffer.from(bytes));
const reply = (e: { reply: Buffer | null }) => (e.reply ? [...e.reply] : null);

describe('decoy Modbus device (water-lift-station)', () => {
  it('reads setpoints from the profile and names the points touched', () => {
    const { device } = setup();
    const e = run(device, 1, 3, ...u16(0), ...u16(2));
    expect(reply(e)).toEqual([3, 4, ...u16(180), ...u16(60)]);
    expect(e).toMatchObject({ outcome: 'ok', address: 0, quantity: 2, points: ['LS.PumpStartLevel', 'LS.PumpStopLevel'] });
  });

  it('reads unmapped words inside the table as 0 and beyond it answers 02', () => {
    const { device } = setup();
    expect(reply(run(device, 1, 3, ...u16(1990), ...u16(10)))).toEqual([3, 20, ...new Array(20).fill(0)]);
    const e = run(device, 1, 3, ...u16(1995), ...u16(10));
    expect(reply(e)).toEqual([0x83, 2]);
    expect(e).toMatchObject({ outcome: 'exception', exceptionCode: 2 });
  });

  it('checks quantity (03) before address (02), per the spec order', () => {
    const { device } = setup();
    expect(reply(run(device, 1, 3, ...u16(65000), ...u16(200)))).toEqual([0x83, 3]);
  });

  it('lets a write to a read-write point change what later reads return, via the tag store too', () => {
    const { device, tags } = setup();
    const w = run(device, 1, 6, ...u16(0), ...u16(250));
    expect(reply(w)).toEqual([6, ...u16(0), ...u16(250)]);
    expect(w).toMatchObject({ values: [250], points: ['LS.PumpStartLevel'] });
    expect(reply(run(device, 1, 3, ...u16(0), ...u16(1)))).toEqual([3, 2, ...u16(250)]);
    expect(tags.read('LS.PumpStartLevel')).toBe(2.5);
  });

  it('refuses a write that touches a read-only point with the profile\'s exception', () => {
    const { device } = setup();
    const e = run(device, 1, 16, ...u16(6), ...u16(6), 12, ...new Array(12).fill(0));
    expect(reply(e)).toEqual([0x90, 2]);
    expect(e.values).toEqual([0, 0, 0, 0, 0, 0]);
    expect(reply(run(device, 1, 3, ...u16(10), ...u16(2)))).not.toEqual([3, 4, 0, 0, 0, 0]);
  });

  it('reads and writes coils, packs discrete inputs LSB first', () => {
    const { device } = setup();
    expect(reply(run(device, 1, 2, ...u16(0), ...u16(8)))).toEqual([2, 1, 0b1110_0000]);
    expect(reply(run(device, 1, 5, ...u16(0), 0xff, 0))).toEqual([5, 0, 0, 0xff, 0]);
    expect(reply(run(device, 1, 15, ...u16(8), ...u16(3), 1, 0b101))).toEqual([15, ...u16(8), ...u16(3)]);
    expect(reply(run(device, 1, 1, ...u16(0), ...u16(11)))).toEqual([1, 2, 0b0001_1001, 0b101]);
  });

  it('serves units 0 and 255 as the device itself and ignores units it does not serve', () => {
    const { device } = setup();
    for (const unit of [0, 255]) expect(reply(run(device, unit, 3, 0, 0, 0, 1))).toEqual([3, 2, ...u16(180)]);
    const e = run(device, 7, 3, 0, 0, 0, 1);
    expect(e).toMatchObject({ reply: null, outcome: 'ignored' });
  });

  it('reports its identity over FC 17 and FC 43/14', () => {
    const { device } = setup();
    const sid = reply(run(device, 1, 0x11))!;
    expect(Buffer.from(sid.slice(2)).toString('latin1')).toBe('\x01\xffM221 LS07_LIFT_STATION');
    const id = run(device, 1, 0x2b, 0x0e, 1, 0).reply!;
    expect(id.subarray(7).toString('latin1')).toBe('\x00\x12Schneider Electric\x01\x0aTM221CE24R\x02\x08V1.6.2.6');
  });

  it('answers 01 to an unsupported function and 03 to a malformed PDU, and records both', () => {
    const { device } = setup();
    expect(run(device, 1, 0x5a, 1, 2)).toMatchObject({ reply: Buffer.from([0xda, 1]), outcome: 'exception', exceptionCode: 1, functionCode: 0x5a });
    expect(run(device, 1, 3, 0, 0)).toMatchObject({ outcome: 'exception', exceptionCode: 3, detail: expect.stringContaining('truncated') });
  });
});
