/**
 * The Modbus RTU decoy on a serial line: a socat pseudo-terminal pair stands in for the cable,
 * modbus-serial's RTU client and Debian's mbpoll are the masters, and every frame must reach the
 * console as a hit naming the serial line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type ModbusSerial from 'modbus-serial';
import { startStack, type Stack } from './helpers/stack.js';
import { hasTool, waitFor } from './helpers/net.js';
import { runAsync, runCli, startCli, stopAllCli } from './helpers/cli.js';
import { enrollGateway } from '../src/console/enroll.js';
import { modbusClient } from './helpers/modbus.js';
import { exchange, ptyPair, type PtyPair } from './helpers/serial.js';
import { encodeRtu } from '../src/decoys/modbus/codec/rtu.js';
import { SerialPort } from 'serialport';
import type { StoredHit } from '../src/console/store.js';

const require = createRequire(import.meta.url);
const ModbusRTU = require('modbus-serial') as typeof ModbusSerial.default;

const haveSocat = hasTool('socat', 'Modbus RTU decoy over a pseudo-terminal pair');
const haveMbpoll = haveSocat && hasTool('mbpoll', 'Modbus RTU decoy read and written by mbpoll -m rtu');

async function rtuClient(path: string, unitId = 1, timeoutMs = 1_000): Promise<ModbusSerial.default> {
  const client = new ModbusRTU();
  await client.connectRTUBuffered(path, { baudRate: 19200, parity: 'even', stopBits: 1, dataBits: 8 });
  client.setID(unitId);
  client.setTimeout(timeoutMs);
  return client;
}

const closeClient = (client: ModbusSerial.default) => new Promise<void>((resolve) => client.close(() => resolve()));

describe.skipIf(!haveSocat)('Modbus RTU decoy on a serial line', () => {
  let stack: Stack;
  let line: PtyPair;
  /** Hits at the console that came over the serial line, oldest first. */
  const serialHits = async () => (await stack.hits('?limit=1000')).filter((h) => h.protocol === 'modbus-rtu').reverse();
  const hitFor = (what: string, match: (h: StoredHit) => boolean) =>
    waitFor(async () => (await serialHits()).find(match), 5_000, what);

  beforeAll(async () => {
    line = await ptyPair(mkdtempSync(join(tmpdir(), 'tripline-rtu-')));
    stack = await startStack({ rtu: { path: line.decoy, baudRate: 19200, parity: 'even', stopBits: 1 } });
  });
  afterAll(async () => {
    await stack?.stop();
    await line?.stop();
  });

  it('answers modbus-serial reads and writes, the write lands in the memory Modbus/TCP reads, and each is a hit at the console', async () => {
    const client = await rtuClient(line.master);
    try {
      expect((await client.readHoldingRegisters(0, 10)).data.slice(0, 2)).toEqual([180, 60]);
      await client.writeRegister(1, 77);
      await client.writeCoil(0, true);
      expect((await client.readCoils(0, 2)).data.slice(0, 2)).toEqual([true, false]);
    } finally {
      await closeClient(client);
    }
    const tcp = await modbusClient(stack.gateway.modbusPort);
    expect((await tcp.readHoldingRegisters(1, 1)).data).toEqual([77]);
    tcp.close(() => {});

    const read = await hitFor('the RTU read', (h) => h.functionCode === 3 && h.quantity === 10);
    expect(read).toMatchObject({
      decoy: 'water-lift-station',
      protocol: 'modbus-rtu',
      src: { ip: 'unknown', port: 0, serial: line.decoy },
      dstPort: 0,
      unitId: 1,
      address: 0,
      outcome: 'ok',
      raw: '01030000000ac5cd',
    });
    const write = await hitFor('the RTU write', (h) => h.functionCode === 6);
    expect(write).toMatchObject({ unitId: 1, address: 1, values: [77], points: ['LS.PumpStopLevel'], outcome: 'ok' });
  });

  it('drops a frame with a bad CRC without a reply and records it as malformed', async () => {
    const good = encodeRtu(1, Buffer.from([3, 0, 5, 0, 1]));
    const bad = Buffer.from(good);
    bad[bad.length - 1]! ^= 0x5a;
    expect(await exchange(line.master, bad)).toEqual(Buffer.alloc(0));
    const hit = await hitFor('the bad-CRC frame', (h) => h.outcome === 'malformed' && h.raw === bad.toString('hex'));
    expect(hit).toMatchObject({ unitId: 1, functionCode: 3, detail: expect.stringMatching(/^bad CRC/), src: { serial: line.decoy } });
    // The line is not wedged: the next good frame is answered.
    expect((await exchange(line.master, good)).subarray(0, 3)).toEqual(Buffer.from([1, 3, 2]));
  });

  it('applies a broadcast write without replying, and records it', async () => {
    const broadcast = encodeRtu(0, Buffer.from([6, 0, 2, 0x01, 0x2c])); // LS.LagPumpStartLevel := 300
    expect(await exchange(line.master, broadcast)).toEqual(Buffer.alloc(0));
    const tcp = await modbusClient(stack.gateway.modbusPort);
    expect((await tcp.readHoldingRegisters(2, 1)).data).toEqual([300]);
    tcp.close(() => {});
    const hit = await hitFor('the broadcast', (h) => h.unitId === 0 && h.functionCode === 6);
    expect(hit).toMatchObject({ address: 2, values: [300], outcome: 'ok', detail: 'broadcast', points: ['LS.LagPumpStartLevel'] });
  });

  it('stays silent to frames for other unit addresses, and records them as ignored', async () => {
    const other = await rtuClient(line.master, 9, 500);
    try {
      await expect(other.readHoldingRegisters(0, 1)).rejects.toMatchObject({ name: 'TransactionTimedOutError' });
    } finally {
      await closeClient(other);
    }
    const hit = await hitFor('the frame for unit 9', (h) => h.unitId === 9);
    expect(hit).toMatchObject({ functionCode: 3, outcome: 'ignored', detail: 'address 9 is not this device\'s' });
    // Reserved address 255 (the TCP "this device" unit) is not this device on a serial line.
    expect(await exchange(line.master, encodeRtu(255, Buffer.from([3, 0, 0, 0, 1])))).toEqual(Buffer.alloc(0));
  });

  it('does not answer its own reply played back by an echoing adapter: one write is one hit', async () => {
    const port = new SerialPort({ path: line.master, baudRate: 19200, parity: 'even', autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const heard: Buffer[] = [];
    // A 2-wire RS-485 adapter with its receiver always on: everything on the wire comes back.
    port.on('data', (chunk: Buffer) => {
      heard.push(chunk);
      port.write(chunk);
    });
    const write = encodeRtu(1, Buffer.from([6, 0, 3, 0x00, 0x4d]));
    try {
      port.write(write);
      await new Promise((r) => setTimeout(r, 1_500));
    } finally {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    expect(Buffer.concat(heard)).toEqual(write); // the FC 06 reply equals the request: once
    const writes = (await serialHits()).filter((h) => h.raw === write.toString('hex'));
    expect(writes).toHaveLength(1);
  });

  it('answers one request at a time: a flood of long reads is recorded in full, but not answered in full', async () => {
    const read = encodeRtu(1, Buffer.from([3, 0, 0, 0, 125])); // 8 bytes in, 255 out
    const before = (await serialHits()).length;
    const answered = await exchange(line.master, Buffer.concat(Array.from({ length: 40 }, () => read)), 1_000);
    await waitFor(async () => ((await serialHits()).length - before >= 40 ? true : undefined), 5_000, 'all 40 requests recorded');
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length).toBeLessThan(40 * 255);
  });

  it('finds a frame behind line noise and answers it', async () => {
    const request = encodeRtu(1, Buffer.from([4, 0, 0, 0, 1]));
    const reply = await exchange(line.master, Buffer.concat([Buffer.from([0xff, 0xfe, 0x01, 0x03, 0x99]), request]));
    expect(reply.subarray(0, 3)).toEqual(Buffer.from([1, 4, 2]));
    await hitFor('the noise', (h) => h.outcome === 'malformed' && h.raw === 'fffe');
  });

  it.skipIf(!haveMbpoll)('is read and written by mbpoll -m rtu', async () => {
    const common = ['-m', 'rtu', '-a', '1', '-b', '19200', '-P', 'even', '-o', '2'];
    const read = await runAsync('mbpoll', [...common, '-r', '1', '-c', '4', '-t', '4', '-1', line.master]);
    expect(read.status, read.stderr + read.stdout).toBe(0);
    expect(read.stdout).toMatch(/\[1\]:\s+180/);
    const write = await runAsync('mbpoll', [...common, '-r', '5', '-t', '4', line.master, '250']);
    expect(write.status, write.stderr + write.stdout).toBe(0);
    const hit = await hitFor('the mbpoll write', (h) => h.functionCode === 6 && h.address === 4 && h.values?.[0] === 250);
    expect(hit).toMatchObject({ points: ['LS.LowLevelAlarmSP'], outcome: 'ok', src: { serial: line.decoy } });
    const tcp = await modbusClient(stack.gateway.modbusPort);
    expect((await tcp.readHoldingRegisters(4, 1)).data).toEqual([250]);
    tcp.close(() => {});
  });
});

describe.skipIf(!haveSocat)('tripline gateway --rtu (the compiled CLI)', () => {
  let stack: Stack;
  let line: PtyPair;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tripline-rtu-cli-'));
    line = await ptyPair(dir);
    stack = await startStack();
  });
  afterAll(async () => {
    await stopAllCli();
    await stack?.stop();
    await line?.stop();
  });

  it('answers on the serial line with the settings given, and on a shared bus records only its own frames', async () => {
    const enrollment = join(dir, 'rtu-gw.json');
    enrollGateway({ dataDir: join(stack.dir, 'console'), name: 'rtu-gw', out: enrollment, consoleUrl: stack.console.url });
    const gateway = startCli(['gateway', '--enrollment', enrollment, '--modbus-host', '127.0.0.1', '--modbus-port', '0', '--no-opcua', '--no-dns', '--data', join(dir, 'gw'), '--rtu', `${line.decoy}:9600:N:2`, '--rtu-shared-bus']);
    const request = encodeRtu(1, Buffer.from([3, 0, 0, 0, 1]));
    const reply = await waitFor(async () => {
      const r = await exchange(line.master, request, 200);
      return r.length > 0 ? r : undefined;
    }, 15_000, `a reply from the gateway on ${line.decoy}:\n${gateway.output()}`);
    expect(reply).toEqual(encodeRtu(1, Buffer.from([3, 2, 0, 180])));
    // Another device's poll on the shared bus, then our own again: only ours is a hit.
    expect(await exchange(line.master, encodeRtu(9, Buffer.from([3, 0, 0, 0, 1])))).toEqual(Buffer.alloc(0));
    await exchange(line.master, encodeRtu(1, Buffer.from([4, 0, 0, 0, 1])));
    await waitFor(async () => (await stack.hits()).find((h) => h.functionCode === 4 && h.protocol === 'modbus-rtu'), 10_000, 'the FC 4 read at the console');
    const hits = (await stack.hits()).filter((h) => h.protocol === 'modbus-rtu');
    expect(hits.every((h) => h.unitId === 1 && h.src.serial === line.decoy)).toBe(true);
    await gateway.kill();
  });

  it('refuses a serial port that does not exist, naming it', () => {
    const enrollment = join(dir, 'rtu-gw.json');
    const r = runCli(['gateway', '--enrollment', enrollment, '--modbus-host', '127.0.0.1', '--modbus-port', '0', '--no-opcua', '--no-dns', '--data', join(dir, 'gw2'), '--rtu', join(dir, 'no-such-tty')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tripline: cannot open serial port .*no-such-tty \(No such file or directory.*\): check the device path/);
    expect(runCli(['gateway', '--enrollment', enrollment, '--data', dir, '--rtu', '/dev/ttyUSB0:9600:X']).stderr).toMatch(/parity X: expected none, even or odd/);
  });
});
