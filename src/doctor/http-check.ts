/**
 * Is the console's HTTP(S) endpoint reachable, and how far apart are the two clocks? Uses the
 * public /healthz route; the clock comes from the reply's Date header (HTTP/1.1 servers send
 * one, RFC 9110 §6.6.1), compared with the middle of the round trip.
 */
export type HttpProbe =
  | { ok: true; status: number; skewMs: number | null; rttMs: number }
  | { ok: false; code: string; message: string };

/** `clockOffsetMs` shifts this machine's clock (a test hook for skew). */
export async function probeHttp(consoleUrl: string, timeoutMs: number, clockOffsetMs = 0): Promise<HttpProbe> {
  const started = Date.now();
  try {
    const response = await fetch(`${consoleUrl.replace(/\/+$/, '')}/healthz`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const ended = Date.now();
    // The status and headers are the answer; a body (a hostile one could be endless) is not read.
    await response.body?.cancel().catch(() => undefined);
    const date = Date.parse(response.headers.get('date') ?? '');
    // The header has whole seconds: the console's clock was somewhere in the second it names.
    const skewMs = Number.isFinite(date) ? (started + ended) / 2 + clockOffsetMs - (date + 500) : null;
    return { ok: true, status: response.status, skewMs, rttMs: ended - started };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const code = e.name === 'TimeoutError' ? 'TIMEOUT' : (e.cause?.code ?? e.name);
    return { ok: false, code, message: e.cause?.message ?? e.message };
  }
}

/** What an HTTP failure means, and the one-line remedy. */
export function explainHttpFailure(url: string, code: string, message: string): { detail: string; remedy: string } {
  const host = safeHost(url);
  switch (code) {
    case 'ECONNREFUSED':
      return { detail: `${url}: connection refused: nothing listens there`, remedy: `start the console (systemctl status tripline-console) or correct consoleUrl in the enrollment` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { detail: `${url}: the name ${host} does not resolve (${code})`, remedy: `use a name the gateway's resolver knows, or an IP address, in the console URL (re-enroll with --console-url)` };
    case 'TIMEOUT':
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { detail: `${url}: no answer (${code}): a firewall drops the traffic, or there is no route`, remedy: `allow TCP from this gateway to ${host} (port of the console URL), or rely on the DNS relay` };
    case 'CERT_HAS_EXPIRED':
      return { detail: `${url}: the console's TLS certificate has expired`, remedy: 'renew the certificate on the console\'s TLS proxy (tripline doctor console --tls-cert FILE checks it)' };
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return { detail: `${url}: the console's TLS certificate is not trusted here (${code})`, remedy: 'use a certificate from a CA this machine trusts, or add the CA with NODE_EXTRA_CA_CERTS=/path/ca.pem' };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { detail: `${url}: the console's TLS certificate does not name ${host}`, remedy: `issue the certificate for ${host}, or use the name it carries in the console URL` };
    default:
      return { detail: `${url}: ${code}: ${message}`, remedy: 'check the console URL, the network path and the console\'s TLS proxy' };
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
