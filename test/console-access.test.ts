/**
 * Who may reach the console: every route needs a session or bearer token unless it says
 * otherwise; state changes under a session need its CSRF token; logins are rate limited;
 * --allow-cidr fences the dashboard but not gateway ingest; revoked and rotated gateway secrets
 * stop working at once; triage lands in the audit log.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { API_TOKEN, ADMIN_PASSWORD, silentLog, startStack } from './helpers/stack.js';
import { form, login, loginForm, postLogin } from './helpers/session.js';
import { modbusPdu } from './helpers/modbus.js';
import { waitFor } from './helpers/net.js';
import { startConsole } from '../src/console/console.js';
import { loadEnrollment } from '../src/gateway/enrollment.js';
import { writeAtomic } from '../src/console/settings.js';
import { decodeSecret, Header, HEARTBEAT_PATH, signBatch } from '../src/relay/wire.js';

const READ = Buffer.from('03 0000 0002'.replace(/ /g, ''), 'hex');
const WRITE = Buffer.from('06 0000 00C8'.replace(/ /g, ''), 'hex');
const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({ method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const bearer = { authorization: `Bearer ${API_TOKEN}` };
const sample = (url: string) => url.replace(':id', url.includes('gateways') ? 'gw-0000000000000000' : '1');
const metric = (text: string, line: string) => Number(text.split('\n').find((l) => l.startsWith(line))?.split(' ').pop() ?? NaN);

describe('console access control', () => {
  it('answers 401 to every route without credentials, and lets public and gateway routes through as declared', async () => {
    const stack = await startStack();
    try {
      const routes = stack.console.routes;
      // The list is the app's own: a route added without thought is walked here too.
      expect(routes.length).toBeGreaterThan(25);
      expect(routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`).sort()).toEqual(['GET /healthz', 'GET /login', 'POST /login']);
      for (const route of routes) {
        const url = `${stack.console.url}${sample(route.url)}`;
        const init: { method: string; headers?: Record<string, string>; body?: string } = route.method === 'GET' || route.method === 'DELETE' ? { method: route.method } : json(route.method, {});
        const anonymous = await fetch(url, { ...init, redirect: 'manual' });
        const wrongToken = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), authorization: 'Bearer not-the-token' } });
        if (route.access === 'authenticated') {
          expect([anonymous.status, route.url]).toEqual([401, route.url]);
          expect([wrongToken.status, route.url]).toEqual([401, route.url]);
        } else if (route.access === 'gateway') {
          expect([anonymous.status, route.url]).toEqual([401, route.url]);
        }
      }
      expect((await fetch(`${stack.console.url}/healthz`)).status).toBe(200);
      // A browser is sent to log in, and shown nothing else.
      const page = await fetch(`${stack.console.url}/gateways`, { redirect: 'manual', headers: { accept: 'text/html' } });
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/login?next=%2Fgateways');
      expect(await page.text()).toBe('');
      const metrics = await stack.metrics();
      expect(metric(metrics, 'tripline_http_denied_total{reason="credentials"}')).toBeGreaterThan(routes.length);
      for (const name of ['tripline_hits_total', 'tripline_incidents_total', 'tripline_rejected_total', 'tripline_notifications_total', 'tripline_notification_queue_depth']) {
        expect(metrics).toContain(`# TYPE ${name} `);
      }
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it('needs the session CSRF token for every state change, sets strict cookies, and rate limits password guessing', async () => {
    const stack = await startStack();
    const base = stack.console.url;
    try {
      const loginResponse = await postLogin(base, ADMIN_PASSWORD);
      const setCookie = loginResponse.headers.getSetCookie().find((c) => c.startsWith('tripline_session='))!;
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Strict/);
      expect(setCookie).toMatch(/Path=\//);
      expect(setCookie).not.toMatch(/Secure/); // plain HTTP here; the TLS test checks Secure

      const session = await login(base);
      // Forms: without the token, with a wrong one, then with the right one.
      expect((await session.fetch('/settings/whitelist', form({ cidr: '192.0.2.0/24' }))).status).toBe(403);
      expect((await session.fetch('/settings/whitelist', form({ cidr: '192.0.2.0/24', _csrf: 'x'.repeat(43) }))).status).toBe(403);
      expect((await session.fetch('/settings/whitelist', form({ cidr: '192.0.2.0/24', _csrf: session.csrf }))).status).toBe(303);
      // JSON API under a session: the header carries it.
      expect((await session.fetch('/api/v1/whitelist', json('POST', { cidr: '198.51.100.0/24' }))).status).toBe(403);
      expect((await session.fetch('/api/v1/whitelist', json('POST', { cidr: '198.51.100.0/24' }, { 'x-csrf-token': session.csrf }))).status).toBe(200);
      expect((await session.fetch('/logout', form({}))).status).toBe(403);
      // A bearer token carries no ambient authority: no CSRF token needed.
      expect((await fetch(`${base}/api/v1/whitelist?cidr=192.0.2.0%2F24`, { method: 'DELETE', headers: bearer })).status).toBe(200);
      const whitelist = (await (await stack.api('/api/v1/whitelist')).json()) as { whitelist: { cidr: string }[] };
      expect(whitelist.whitelist.map((w) => w.cidr)).toEqual(['198.51.100.0/24']);
      // The login form itself is protected: a post without its cookie is refused.
      const { loginCsrf } = await loginForm(base);
      expect((await fetch(`${base}/login`, form({ _login: loginCsrf, username: 'admin', password: ADMIN_PASSWORD }))).status).toBe(403);

      // Guessing: five tries from one address, then 429 with Retry-After, even for the right password.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await postLogin(base, `wrong-password-${i}`)).status);
      // Two logins above used two of the five.
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
      const limited = await postLogin(base, ADMIN_PASSWORD);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      const audit = (await (await stack.api('/api/v1/audit?limit=100')).json()) as { audit: { action: string; srcIp: string }[] };
      expect(audit.audit.filter((a) => a.action === 'login.failed').length).toBeGreaterThanOrEqual(3);
      expect(audit.audit.filter((a) => a.action === 'login').length).toBe(2);
      expect(audit.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['whitelist.add', 'whitelist.remove']));
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it('puts acknowledge and resolve in the audit log, and reopens a resolved incident that escalates', async () => {
    const stack = await startStack();
    try {
      await modbusPdu(stack.gateway.modbusPort, 1, READ);
      const incident = await waitFor(async () => ((await (await stack.api('/api/v1/incidents')).json()) as { incidents: { id: number }[] }).incidents[0], 10_000, 'an incident');
      const ack = await fetch(`${stack.console.url}/api/v1/incidents/${incident.id}/acknowledge`, json('POST', { note: 'looking at it' }, bearer));
      expect(ack.status).toBe(200);
      const session = await login(stack.console.url);
      // Resolving needs a note: what was it?
      expect((await session.fetch(`/incidents/${incident.id}/triage`, form({ to: 'resolved', _csrf: session.csrf }))).status).toBe(400);
      expect((await session.fetch(`/incidents/${incident.id}/triage`, form({ to: 'resolved', note: 'pen test <team B>', _csrf: session.csrf }))).status).toBe(303);
      const detail = (await (await stack.api(`/api/v1/incidents/${incident.id}`)).json()) as { incident: { triage: string; triageNote: string; triageBy: string }; history: { actor: string; action: string; detail: string }[] };
      expect(detail.incident).toMatchObject({ triage: 'resolved', triageNote: 'pen test <team B>', triageBy: 'admin' });
      expect(detail.history.map((h) => [h.actor, h.action])).toEqual([
        ['admin', 'incident.resolve'],
        ['token:default', 'incident.acknowledge'],
      ]);
      // The same intruder now writes: the incident escalates and is the SOC's again.
      await modbusPdu(stack.gateway.modbusPort, 1, WRITE);
      await waitFor(async () => {
        const again = (await (await stack.api(`/api/v1/incidents/${incident.id}`)).json()) as { incident: { triage: string; classification: string } };
        return again.incident.classification === 'red' && again.incident.triage === 'new' ? true : undefined;
      }, 10_000, 'the incident reopened');
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it('rejects and counts a rotated secret and a revoked gateway at once, over HTTP', async () => {
    const stack = await startStack();
    try {
      await modbusPdu(stack.gateway.modbusPort, 1, READ);
      await waitFor(async () => ((await stack.hits()).length === 1 ? true : undefined), 10_000, 'first hit');
      const gatewayId = loadEnrollment(stack.enrollmentFile).gatewayId;
      // Rotation: the box still holding the old secret is turned away; the new file works.
      const rotated = (await (await fetch(`${stack.console.url}/api/v1/gateways/${gatewayId}/rotate`, { method: 'POST', headers: bearer })).json()) as { enrollment: object };
      await modbusPdu(stack.gateway.modbusPort, 1, READ);
      await waitFor(async () => (metric(await stack.metrics(), 'tripline_rejected_total{reason="bad_signature"}') > 0 ? true : undefined), 10_000, 'old secret rejected');
      expect((await stack.hits()).length).toBe(1);
      await stack.stopGateway();
      writeAtomic(stack.enrollmentFile, JSON.stringify(rotated.enrollment), 0o600);
      await stack.startGateway();
      await waitFor(async () => ((await stack.hits()).length === 2 ? true : undefined), 15_000, 'the held hit, delivered with the new secret');
      // Revocation: every further message is refused and counted.
      expect((await fetch(`${stack.console.url}/api/v1/gateways/${gatewayId}/revoke`, { method: 'POST', headers: bearer })).status).toBe(200);
      await modbusPdu(stack.gateway.modbusPort, 1, READ);
      await waitFor(async () => (metric(await stack.metrics(), 'tripline_rejected_total{reason="revoked_gateway"}') > 0 ? true : undefined), 10_000, 'revoked gateway rejected');
      expect((await stack.hits()).length).toBe(2);
      const gateways = (await (await stack.api('/api/v1/gateways')).json()) as { gateways: { status: string; secret?: string }[] };
      expect(gateways.gateways[0]!.status).toBe('revoked');
      expect(gateways.gateways[0]!.secret).toBeUndefined();
      const audit = (await (await stack.api('/api/v1/audit')).json()) as { audit: { action: string }[] };
      expect(audit.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['gateway.rotate', 'gateway.revoke']));
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it('acknowledges a repeated heartbeat without recording it, and refuses an older one replayed', async () => {
    const stack = await startStack({ heartbeatIntervalSeconds: 3600 });
    try {
      const enrollment = loadEnrollment(stack.enrollmentFile);
      const secret = decodeSecret(enrollment.secret);
      const gatewayTime = new Date().toISOString();
      const send = (time: string) => {
        const body = JSON.stringify({ heartbeat: { gatewayTime: time, intervalSeconds: 60, outboxDepth: 0, oldestPendingAt: null, channels: {}, folded: 0, folds: [], version: 'test' } });
        const timestamp = String(Date.now());
        return fetch(`${stack.console.url}${HEARTBEAT_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [Header.gateway]: enrollment.gatewayId, [Header.timestamp]: timestamp, [Header.signature]: signBatch(secret, enrollment.gatewayId, timestamp, Buffer.from(body)) },
          body,
        });
      };
      expect((await send(gatewayTime)).status).toBe(200);
      const recordedAt = stack.console.store.gateway(enrollment.gatewayId)!.heartbeatAt;
      await new Promise((r) => setTimeout(r, 20));
      // The same heartbeat again (a retry, or a capture replayed): acknowledged, changes nothing.
      expect((await send(gatewayTime)).status).toBe(200);
      expect(stack.console.store.gateway(enrollment.gatewayId)!.heartbeatAt).toBe(recordedAt);
      // An older one: refused and counted.
      expect((await send(new Date(Date.parse(gatewayTime) - 60_000).toISOString())).status).toBe(409);
      expect(metric(await stack.metrics(), 'tripline_rejected_total{reason="stale_heartbeat"}')).toBe(1);
      expect((await send(new Date(Date.parse(gatewayTime) + 1_000).toISOString())).status).toBe(200);
      expect(stack.console.store.gateway(enrollment.gatewayId)!.heartbeatAt).not.toBe(recordedAt);
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it('ends every session when the admin password is changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-password-'));
    const start = (adminPassword: string) => startConsole({ dataDir: dir, httpHost: '127.0.0.1', httpPort: 0, apiToken: API_TOKEN, adminPassword, log: silentLog });
    let console_ = await start(ADMIN_PASSWORD);
    const session = await login(console_.url);
    await console_.stop();
    console_ = await start('a new and longer password');
    try {
      const stale = await fetch(`${console_.url}/api/v1/audit`, { headers: { cookie: session.cookie } });
      expect(stale.status).toBe(401);
      expect((await postLogin(console_.url, ADMIN_PASSWORD)).status).toBe(401);
      expect((await postLogin(console_.url, 'a new and longer password')).status).toBe(303);
    } finally {
      await console_.stop();
    }
  }, 60_000);

  it('fences the dashboard and API with --allow-cidr, but not gateway ingest or /healthz', async () => {
    const stack = await startStack({ allowCidrs: ['10.0.0.0/8', 'fd00::/8'] });
    try {
      expect((await stack.api('/api/v1/hits')).status).toBe(403);
      expect((await fetch(`${stack.console.url}/login`)).status).toBe(403);
      expect((await fetch(`${stack.console.url}/healthz`)).status).toBe(200);
      await modbusPdu(stack.gateway.modbusPort, 1, READ);
      await waitFor(() => (stack.console.store.listHits({ limit: 10 }).length === 1 ? true : undefined), 10_000, 'a hit ingested from outside the allowed networks');
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it.skipIf(!hasOpenssl())('serves HTTPS with --tls-cert/--tls-key, with Secure cookies and HSTS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const ca = readFileSync(join(dir, 'cert.pem'));
    const console_ = await startConsole({ dataDir: join(dir, 'console'), httpHost: '127.0.0.1', httpPort: 0, apiToken: API_TOKEN, adminPassword: ADMIN_PASSWORD, tls: { cert: ca, key: readFileSync(join(dir, 'key.pem')) }, log: silentLog });
    try {
      expect(console_.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const page = await httpsGet(`${console_.url}/login`, ca);
      expect(page.status).toBe(200);
      expect(page.headers['set-cookie']!.find((c) => c.startsWith('tripline_login='))).toMatch(/; Secure/);
      expect(page.headers['strict-transport-security']).toMatch(/max-age=/);
      expect((await httpsGet(`${console_.url}/api/v1/hits`, ca)).status).toBe(401);
      expect((await httpsGet(`${console_.url}/api/v1/hits`, ca, { authorization: `Bearer ${API_TOKEN}` })).status).toBe(200);
      // Plain HTTP to the TLS port gets nothing.
      await expect(fetch(console_.url.replace('https', 'http') + '/healthz')).rejects.toThrow();
    } finally {
      await console_.stop();
    }
  }, 60_000);
});

function httpsGet(url: string, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('openssl missing: the TLS test is skipped (apt-get install openssl)');
    return false;
  }
}
