/**
 * The Modbus/TCP decoy against exact bytes (Modbus Application Protocol v1.1b3, Modbus/TCP
 * implementation guide): replies, exceptions, framing, unit ids and connection floods, over
 * real sockets with every request recorded in SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDecoy, type Decoy } from './helpers/decoy.js';

const SMALL_RTU = fileURLToPath(new URL('./fixtures/small-rtu.yaml', import.meta.url));
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const show = (b: Buffer) => b.toString('hex').replace(/(..)/g, '$1 ').trim().toUpperCase();

/** A client connection that reads whole MBAP replies. */
class Client {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  static open(port: number, localAddress?: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(new Client(socket)));
      socket.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next whole reply, or null if the connection closed (or nothing came within `ms`). */
  async reply(ms = 2_000): Promise<Buffer | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.buffer.length >= 6 && this.buffer.length >= 6 + this.buffer.readUInt16BE(4)) {
        const size = 6 + this.buffer.readUInt16BE(4);
        const out = this.buffer.subarray(0, size);
        this.buffer = this.buffer.subarray(size);
        return Buffer.from(out);
      }
      if (this.closed || Date.now() >= deadline) return null;
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.max(1, deadline - Date.now()));
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

async function exchange(port: number, request: string): Promise<string | null> {
  const client = await Client.open(port);
  client.send(hex(request));
  const reply = await client.reply();
  client.close();
  return reply && show(reply);
}

let lift: Decoy;
let rtu: Decoy;
beforeAll(async () => {
  lift = await startDecoy('water-lift-station');
  rtu = await startDecoy(SMALL_RTU);
});
afterAll(async () => {
  await lift.stop();
  await rtu.stop();
});

describe('Modbus/TCP decoy, exact bytes', () => {
  it('answers Report Server ID (FC 17) with byte count, server id, run indicator FF and profile data', async () => {
    const reply = await exchange(rtu.port, '00 00 00 00 00 02 01 11');
    const additional = Buffer.from('RIO-100 station 4', 'latin1');
    const pdu = Buffer.concat([hex('11'), Buffer.from([2 + additional.length]), hex('2A FF'), additional]);
    expect(reply).toBe(show(Buffer.concat([hex('00 00 00 00'), Buffer.from([0, pdu.length + 1, 1]), pdu])));
  });

  it('answers a basic device identification (43/14) echoing transaction 5A 47 and unit 00, objects 0–2 in one reply', async () => {
    const reply = hex((await exchange(lift.port, '5A 47 00 00 00 05 00 2B 0E 01 00'))!);
    expect(show(reply.subarray(0, 7))).toBe(show(Buffer.from([0x5a, 0x47, 0, 0, 0, reply.length - 6, 0])));
    // MEI 0E, read code 01, conformity 82, no more follows, next 00, 3 objects.
    expect(show(reply.subarray(7, 14))).toBe('2B 0E 01 82 00 00 03');
    const objects: string[] = [];
    for (let i = 14, n = 0; n < 3; n++) {
      expect(reply[i]).toBe(n);
      objects.push(reply.subarray(i + 2, i + 2 + reply[i + 1]!).toString('latin1'));
      i += 2 + reply[i + 1]!;
    }
    expect(objects).toEqual(['Schneider Electric', 'TM221CE24R', 'V1.6.2.6']);
  });

  it('answers FC 3 with quantity 0 with exception 03', async () => {
    expect(await exchange(lift.port, '00 02 00 00 00 06 01 03 00 00 00 00')).toBe('00 02 00 00 00 03 01 83 03');
  });

  it('on a unit with 100 holding registers answers 96+5 with 02 and 96+4 with 8 data bytes', async () => {
    expect(await exchange(rtu.port, '00 05 00 00 00 06 01 03 00 60 00 05')).toBe('00 05 00 00 00 03 01 83 02');
    expect(await exchange(rtu.port, '00 05 00 00 00 06 01 03 00 60 00 04')).toBe('00 05 00 00 00 0B 01 03 08 00 2A 00 00 00 00 00 07');
  });

  it('closes a connection at once on MBAP length FFFF, and other clients are unaffected', async () => {
    const other = await Client.open(lift.port);
    const bad = await Client.open(lift.port);
    const started = Date.now();
    bad.send(hex('00 1A 00 00 FF FF 01 03 00 00 00 01'));
    expect(await bad.reply(2_000)).toBeNull();
    expect(bad.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
    other.send(hex('00 07 00 00 00 06 01 03 00 00 00 01'));
    expect(show((await other.reply())!)).toBe('00 07 00 00 00 05 01 03 02 00 B4');
    other.close();
  });

  it('answers two ADUs in one write in order, and one ADU sent a byte at a time once', async () => {
    const client = await Client.open(lift.port);
    client.send(hex('00 01 00 00 00 06 01 03 00 00 00 01  00 02 00 00 00 06 01 03 00 01 00 01'));
    expect(show((await client.reply())!)).toBe('00 01 00 00 00 05 01 03 02 00 B4');
    expect(show((await client.reply())!)).toBe('00 02 00 00 00 05 01 03 02 00 3C');
    for (const byte of hex('00 03 00 00 00 06 01 03 00 00 00 01')) {
      client.send(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(show((await client.reply())!)).toBe('00 03 00 00 00 05 01 03 02 00 B4');
    expect(await client.reply(300)).toBeNull();
    client.close();
  });

  it('discards a frame with protocol id ≠ 0 without reply and stays in step for the next', async () => {
    const client = await Client.open(lift.port);
    client.send(hex('00 09 00 01 00 06 01 03 00 00 00 01  00 0A 00 00 00 06 01 03 00 00 00 01'));
    expect(show((await client.reply())!)).toBe('00 0A 00 00 00 05 01 03 02 00 B4');
    client.close();
  });

  it('echoes FC 8 sub-function 00 and answers other sub-functions with 01', async () => {
    expect(await exchange(lift.port, '00 11 00 00 00 06 01 08 00 00 A5 37')).toBe('00 11 00 00 00 06 01 08 00 00 A5 37');
    expect(await exchange(lift.port, '00 12 00 00 00 06 01 08 00 01 00 00')).toBe('00 12 00 00 00 03 01 88 01');
  });

  it('FC 23 writes before it reads, checks quantities (03) before addresses (02)', async () => {
    // Write 1234 to 96, read 96..97: the read sees the write.
    expect(await exchange(rtu.port, '00 20 00 00 00 0D 01 17 00 60 00 02 00 60 00 01 02 04 D2')).toBe('00 20 00 00 00 07 01 17 04 04 D2 00 00');
    // Read quantity 126: 03, even though the write address is out of range too.
    expect(await exchange(rtu.port, '00 21 00 00 00 0D 01 17 00 00 00 7E FF 00 00 01 02 00 01')).toBe('00 21 00 00 00 03 01 97 03');
    // Write quantity 122: 03.
    expect(await exchange(rtu.port, '00 22 00 00 00 0B 01 17 00 00 00 01 00 00 00 7A 00')).toBe('00 22 00 00 00 03 01 97 03');
    // Write beyond the 100 registers: 02, and nothing written.
    expect(await exchange(rtu.port, '00 23 00 00 00 0D 01 17 00 60 00 01 00 64 00 01 02 00 01')).toBe('00 23 00 00 00 03 01 97 02');
  });

  it('answers unit ids as configured: 00 and FF are the device, unknown units get the profile\'s 0B', async () => {
    expect(await exchange(rtu.port, '00 30 00 00 00 06 00 03 00 60 00 01')).toBe('00 30 00 00 00 05 00 03 02 04 D2');
    expect(await exchange(rtu.port, '00 31 00 00 00 06 FF 03 00 60 00 01')).toBe('00 31 00 00 00 05 FF 03 02 04 D2');
    expect(await exchange(rtu.port, '00 32 00 00 00 06 07 03 00 60 00 01')).toBe('00 32 00 00 00 03 07 83 0B');
  });

  it('device identification follows the conformity level: individual access where allowed, 02 for an unknown object', async () => {
    // small-rtu: 0x81, basic + individual.
    expect(await exchange(rtu.port, '00 40 00 00 00 05 01 2B 0E 04 01')).toBe(show(Buffer.concat([hex('00 40 00 00 00 11 01 2B 0E 04 81 00 00 01 01 07'), Buffer.from('RIO-100')])));
    expect(await exchange(rtu.port, '00 41 00 00 00 05 01 2B 0E 04 09')).toBe('00 41 00 00 00 03 01 AB 02');
    // small-rtu is basic (0x81): a regular object (4, product name) is not exposed; the
    // water-lift-station is regular (0x82) and shows it.
    expect(await exchange(rtu.port, '00 42 00 00 00 05 01 2B 0E 04 04')).toBe('00 42 00 00 00 03 01 AB 02');
    expect(await exchange(lift.port, '00 44 00 00 00 05 01 2B 0E 04 04')).toBe(show(Buffer.concat([hex('00 44 00 00 00 16 01 2B 0E 04 82 00 00 01 04 0C'), Buffer.from('Modicon M221')])));
    // An unknown function: 01.
    expect(await exchange(lift.port, '00 43 00 00 00 02 01 41')).toBe('00 43 00 00 00 03 01 C1 01');
  });
});
