/** modbus-serial, the independent Modbus client the tests talk to the decoy with. */
import { createRequire } from 'node:module';
import type ModbusSerial from 'modbus-serial';

// A CommonJS module whose typings declare a default export: load it the CommonJS way.
const require = createRequire(import.meta.url);
export type ModbusClient = ModbusSerial.default;
const ModbusRTU = require('modbus-serial') as typeof ModbusSerial.default;

export async function modbusClient(port: number, unitId = 1): Promise<ModbusClient> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(unitId);
  client.setTimeout(2_000);
  return client;
}

/**
 * A scanner's register sweep: `requests` FC3 reads (one register each, addresses wrapping at
 * `span`), pipelined `window` at a time on one connection. Resolves with the replies counted.
 */
export async function pipelinedSweep(port: number, requests: number, span = 2000, window = 64): Promise<number> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let sent = 0;
    let replies = 0;
    let pending = Buffer.alloc(0);
    const frame = (n: number) => {
      const address = n % span;
      return Buffer.from([n >> 8 & 0xff, n & 0xff, 0, 0, 0, 6, 1, 3, address >> 8, address & 0xff, 0, 1]);
    };
    const fill = () => {
      const frames: Buffer[] = [];
      while (sent < requests && sent - replies < window) frames.push(frame(sent++));
      if (frames.length > 0) socket.write(Buffer.concat(frames));
    };
    socket.on('connect', fill);
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      // Each reply is MBAP (6 bytes, length at 4) plus its PDU.
      while (pending.length >= 6 && pending.length >= 6 + pending.readUInt16BE(4)) {
        pending = pending.subarray(6 + pending.readUInt16BE(4));
        replies++;
      }
      if (replies === requests) {
        socket.end();
        resolve(replies);
      } else fill();
    });
    socket.on('error', reject);
  });
}

/** One request on a fresh connection; the reply PDU, or null when the decoy stays silent (1 s). */
export async function modbusPdu(port: number, unitId: number, pdu: Buffer): Promise<Buffer | null> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      const header = Buffer.from([0x12, 0x34, 0, 0, (pdu.length + 1) >> 8, (pdu.length + 1) & 0xff, unitId]);
      socket.write(Buffer.concat([header, pdu]));
    });
    let data = Buffer.alloc(0);
    const done = (value: Buffer | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), 1_000);
    socket.on('data', (d) => {
      data = Buffer.concat([data, d]);
      if (data.length >= 6 && data.length >= 6 + data.readUInt16BE(4)) done(data.subarray(7, 6 + data.readUInt16BE(4)));
    });
    socket.on('error', () => done(null));
  });
}

/** A Modbus write (FC 6, value 42) from a chosen loopback source: a red, critical intrusion. */
export async function writeFrom(port: number, localAddress: string, register: number): Promise<void> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const frame = Buffer.from([0, 1, 0, 0, 0, 6, 1, 6, 0, register, 0, 42]);
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => socket.write(frame));
    socket.once('data', () => (socket.destroy(), resolve()));
    socket.once('error', reject);
  });
}
