import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCertificateFile } from './tls-check.js';

x509.cryptoProvider.set(webcrypto as never);
const DAY = 86_400_000;

async function certificateFile(notBefore: Date, notAfter: Date): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=soc.example.net', notBefore, notAfter, keys, signingAlgorithm: algorithm });
  const file = join(mkdtempSync(join(tmpdir(), 'tripline-tls-')), 'cert.pem');
  writeFileSync(file, cert.toString('pem'));
  return file;
}

describe('TLS certificate file', () => {
  const now = Date.now();
  it('is fine while valid, a warning within two weeks of expiry, a failure once expired or not yet valid', async () => {
    expect(checkCertificateFile(await certificateFile(new Date(now - DAY), new Date(now + 90 * DAY)), now)).toMatchObject({ status: 'ok', detail: expect.stringMatching(/soc\.example\.net.*valid until/) });
    expect(checkCertificateFile(await certificateFile(new Date(now - DAY), new Date(now + 5 * DAY)), now)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/expires in [45] day/) });
    expect(checkCertificateFile(await certificateFile(new Date(now - 90 * DAY), new Date(now - DAY)), now)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/expired on/) });
    expect(checkCertificateFile(await certificateFile(new Date(now + DAY), new Date(now + 90 * DAY)), now)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not valid before/) });
  });

  it('says so when the file holds no certificate', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tripline-tls-')), 'key.pem');
    writeFileSync(file, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(checkCertificateFile(file)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/no PEM certificate/) });
  });
});
