/**
 * The decoy's application instance certificate, made the way a vendor's commissioning tool makes
 * one: RSA 2048, SHA-256, the profile's subject, the application URI and host name in the
 * subject alternative name, and nothing that names the library that made it. Created once per
 * deployment and kept in the data directory.
 */
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { derive } from '../../gateway/deployment.js';
import type { OpcUaIdentity } from './identity.js';

x509.cryptoProvider.set(webcrypto as never);

const toPem = (der: ArrayBuffer, label: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** Writes the certificate and key unless they exist; the same deployment keeps its certificate. */
export async function ensureCertificate(identity: OpcUaIdentity, seed: Buffer, certificateFile: string, privateKeyFile: string): Promise<void> {
  if (existsSync(certificateFile) && existsSync(privateKeyFile)) return;
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const { subject, dns, startDate, validityDays } = identity.certificate;
  const name = subject.split('/').filter(Boolean).join(', ');
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: derive(seed, 'certificate-serial').subarray(0, 12).toString('hex').replace(/^[89a-f]/, '1'),
    name,
    notBefore: startDate,
    notAfter: new Date(startDate.getTime() + validityDays * 86_400_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment | x509.KeyUsageFlags.keyCertSign,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: identity.applicationUri }, ...dns.map((value) => ({ type: 'dns' as const, value }))]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  mkdirSync(dirname(certificateFile), { recursive: true });
  mkdirSync(dirname(privateKeyFile), { recursive: true, mode: 0o700 });
  writeFileSync(privateKeyFile, toPem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'), { mode: 0o600 });
  writeFileSync(certificateFile, certificate.toString('pem') + '\n');
}
