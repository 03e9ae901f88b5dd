/**
 * Writes plc-firmware/TM221CE24R_V1.6.2.6.pfw, the firmware template: a PFWI header and a payload
 * of sections that look like compressed code, with a string table holding the placeholders.
 * Deterministic (same bytes every run). Run: npx vite-node firmware-stubs/tools/build-firmware-template.ts
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sealImage } from '../../src/stubs/firmware.js';

/** Pseudo-random bytes from a hash chain: incompressible-looking, reproducible. */
function noise(label: string, length: number): Buffer {
  const out: Buffer[] = [];
  let block = createHash('sha256').update(label).digest();
  for (let n = 0; n < length; n += block.length) {
    out.push(block);
    block = createHash('sha256').update(block).digest();
  }
  // No '{' in the noise: placeholders are only ever in the string table.
  return Buffer.from(Buffer.concat(out).subarray(0, length).map((b) => (b === 0x7b ? 0x7a : b)));
}

function section(tag: string, body: Buffer): Buffer {
  const head = Buffer.alloc(16);
  head.write(tag.padEnd(4).slice(0, 4), 0, 'ascii');
  head.writeUInt32BE(body.length, 4);
  head.writeUInt32BE(0x08020000 + (tag.charCodeAt(0) << 12), 8);
  head.writeUInt32BE(0x5a5a0000 | body.length % 0xffff, 12);
  return Buffer.concat([head, body]);
}

const strings = [
  'Schneider Electric',
  'Modicon M221 Logic Controller',
  'TM221CE24R',
  'FW V1.6.2.6 build {{BUILD_ID}} (2022-09-27)',
  'BOOT V1.2.0.1',
  'Copyright (c) Schneider Electric. All rights reserved.',
  'fwupdate.server={{UPDATE_HOST}}',
  'fwupdate.url={{UPDATE_URL}}',
  'fwupdate.interval=86400',
  'ntp.server=pool.ntp.org',
  'modbus.port=502',
  'http.banner=Schneider-WEB/V1.6',
  'snmp.community=public',
  'ERR: image signature check failed',
  'ERR: flash write verify error at %08X',
  'Booting application image...',
].join('\0');

const payload = Buffer.concat([
  section('BOOT', noise('boot', 12_288)),
  section('APPL', noise('application', 49_152)),
  section('STRS', Buffer.from(`${strings}\0`, 'latin1')),
  section('WEBS', noise('web', 16_384)),
]);

const image = sealImage({ buildTime: Date.parse('2022-09-27T06:14:00Z') / 1000, loadAddress: 0x08020000, version: 'V1.6.2.6', productCode: 'TM221CE24R', hardware: 'TM221-HW-03' }, payload);
writeFileSync(fileURLToPath(new URL('../plc-firmware/TM221CE24R_V1.6.2.6.pfw', import.meta.url)), image);
