import { describe, expect, it } from 'vitest';
import { loadStubs, templateOf } from './manifest.js';
import { placeholdersIn, stampStub } from './stamp.js';
import { sealImage, verifyImage } from './firmware.js';

describe('firmware stubs', () => {
  it('lists every placeholder each template holds, and nothing else', () => {
    const stubs = loadStubs();
    expect(stubs.map((s) => s.name)).toEqual(['plc-firmware', 'plc-project', 'opcua-connection']);
    for (const stub of stubs) expect(placeholdersIn(templateOf(stub)).sort()).toEqual(Object.keys(stub.placeholders).sort());
  });

  it('re-seals a stamped image: lengths and both CRCs match the new payload', () => {
    const stub = loadStubs().find((s) => s.name === 'plc-firmware')!;
    const template = templateOf(stub);
    expect(verifyImage(template).ok).toBe(true);
    const values = { UPDATE_HOST: 'abc.canary.example.net', UPDATE_URL: 'https://files.example.com/t/x', BUILD_ID: '0badf00d' };
    const stamped = stampStub(stub, template, values);
    const verdict = verifyImage(stamped);
    expect(verdict.ok).toBe(true);
    expect(stamped.toString('latin1')).toContain('fwupdate.server=abc.canary.example.net\0');
    expect(stamped.toString('latin1')).not.toContain('{{');
  });

  it('names what is wrong with a damaged image', () => {
    const image = sealImage({ buildTime: 1, loadAddress: 2, version: 'V1', productCode: 'P', hardware: 'H' }, Buffer.from('payload'));
    expect(verifyImage(image).ok).toBe(true);
    const header = Buffer.from(image);
    header[30]! ^= 1;
    expect(verifyImage(header)).toEqual({ ok: false, problem: 'header CRC-32 does not match' });
    expect(verifyImage(image.subarray(0, image.length - 1))).toMatchObject({ ok: false, problem: expect.stringMatching(/header says 7/) });
    expect(verifyImage(Buffer.alloc(3))).toMatchObject({ ok: false });
  });

  it('escapes values in XML stubs', () => {
    const stub = loadStubs().find((s) => s.name === 'plc-project')!;
    const out = stampStub(stub, templateOf(stub), { HISTORIAN_HOST: 'h.example', HISTORIAN_USER: 'a"<b>&', HISTORIAN_PASSWORD: 'p', PLC_ADDRESS: '10.0.0.1', PROJECT_ID: 'X' }).toString('utf8');
    expect(out).toContain('user="a&quot;&lt;b&gt;&amp;"');
  });
});
