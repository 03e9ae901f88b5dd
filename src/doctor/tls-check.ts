/** TLS certificate validity: a PEM file (the console's TLS proxy) or a live endpoint. */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { fail, ok, warn, type Finding } from './finding.js';

/** Warn this long before expiry: time to renew before gateways start failing. */
export const RENEW_WITHIN_DAYS = 14;
const DAY_MS = 86_400_000;

export function checkCertificateFile(file: string, now = Date.now()): Finding {
  let cert: X509Certificate;
  try {
    // The first certificate of the file is the server's; a chain may follow.
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(readFileSync(file, 'utf8'))?.[0];
    if (!pem) return fail('tls certificate', `${file}: no PEM certificate in the file`, 'give --tls-cert the certificate (PEM) the TLS proxy serves');
    cert = new X509Certificate(pem);
  } catch (err) {
    return fail('tls certificate', `${file}: ${(err as Error).message}`, 'give --tls-cert a readable PEM certificate');
  }
  return judge(`${file} (${subjectName(cert.subject)})`, Date.parse(cert.validFrom), Date.parse(cert.validTo), now);
}

/** Connects, verifies the chain and name as a gateway would, and reads the expiry. */
export function checkTlsEndpoint(url: string, timeoutMs: number, now = Date.now()): Promise<Finding> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port: Number(port || 443), servername: /^[\d.:]+$/.test(host) ? undefined : host, timeout: timeoutMs });
    const done = (finding: Finding) => {
      socket.destroy();
      resolve(finding);
    };
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      done(judge(`${url} (${peer.subject?.CN ?? 'no CN'})`, Date.parse(peer.valid_from), Date.parse(peer.valid_to), now));
    });
    socket.once('timeout', () => done(fail('tls certificate', `${url}: no TLS handshake within ${timeoutMs} ms`, 'check that the TLS proxy runs and listens on that port')));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(fail('tls certificate', `${url}: ${err.code ?? ''} ${err.message}`.trim(), 'fix the certificate the TLS proxy serves (chain, name, dates) or the console URL')),
    );
  });
}

function judge(what: string, from: number, to: number, now: number): Finding {
  const until = new Date(to).toISOString().slice(0, 10);
  if (now < from) return fail('tls certificate', `${what} is not valid before ${new Date(from).toISOString()}`, 'check the clock, or reissue the certificate');
  if (now > to) return fail('tls certificate', `${what} expired on ${until}`, 'renew the certificate and reload the TLS proxy');
  const days = Math.floor((to - now) / DAY_MS);
  if (days < RENEW_WITHIN_DAYS) return warn('tls certificate', `${what} expires in ${days} day(s), on ${until}`, 'renew the certificate now');
  return ok('tls certificate', `${what} valid until ${until}`);
}

function subjectName(subject: string): string {
  return /CN=([^\n,]+)/.exec(subject)?.[1] ?? subject.replace(/\n/g, ', ');
}
