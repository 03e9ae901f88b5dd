/**
 * Canary tokens through real parts: the console's DNS on loopback behind Debian's unbound
 * (QNAME minimisation, 0x20), dig and nslookup as the intruder's tools, curl for URL tokens, the
 * built CLI for creating, planting, stamping, disabling and rotating, strings to find what a
 * stamped copy carries, and a webhook receiver counting notifications.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsole, type RunningConsole } from '../src/console/console.js';
import { base32Encode } from '../src/relay/dns/base32.js';
import { verifyImage } from '../src/stubs/firmware.js';
import type { TokenHit } from '../src/console/tokens/token-store.js';
import type { IncidentEvent } from '../src/console/notify/event.js';
import { API_TOKEN, silentLog, ZONE } from './helpers/stack.js';
import { hasTool, waitFor } from './helpers/net.js';
import { webhookReceiver, type WebhookReceiver } from './helpers/webhook.js';
import { runAsync, runCli } from './helpers/cli.js';
import { startUnbound, type Unbound } from './helpers/unbound.js';

const haveDig = hasTool('dig', 'DNS token lookups');
const haveNslookup = hasTool('nslookup', 'planted scripts');
const haveCurl = hasTool('curl', 'URL tokens');
const haveStrings = hasTool('strings', 'stamped stubs');
const haveUnbound = hasTool('unbound', 'DNS tokens through a QNAME-minimising resolver');

describe('canary tokens', () => {
  let dir: string;
  let data: string;
  let console_: RunningConsole;
  let unbound: Unbound | undefined;
  let webhook: WebhookReceiver;
  let events: IncidentEvent[] = [];

  const cli = (...args: string[]) => {
    const r = runCli([...args, '--data', data]);
    if (r.status !== 0) throw new Error(`tripline ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const api = (path: string, init: RequestInit = {}) => fetch(`${console_.url}${path}`, { ...init, headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', ...init.headers } });
  const hitsOf = async (token: string) => ((await (await api(`/api/v1/tokens/hits?token=${token}`)).json()) as { hits: TokenHit[] }).hits;
  const digConsole = (name: string, type = 'A') => runAsync('dig', ['+short', '+tries=1', '+time=2', '-p', String(console_.dnsPort), '@127.0.0.1', name, type]);
  const tokenOf = (hostname: string) => hostname.split('.')[0]!;
  /** Waits for the hits of a lookup to be reported (they are coalesced for a second first). */
  const settled = async (token: string, count: number) => {
    const hits = await waitFor(async () => ((await hitsOf(token)).length >= count ? hitsOf(token) : undefined), 5_000, `${count} hit(s) on ${token}`);
    await new Promise((r) => setTimeout(r, 1_500));
    return hits;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tripline-tokens-'));
    data = join(dir, 'console');
    webhook = await webhookReceiver();
    events = webhook.events;
    console_ = await startConsole({
      dataDir: data, httpHost: '127.0.0.1', httpPort: 0, apiToken: API_TOKEN, log: silentLog,
      dnsZones: [ZONE], dnsHost: '127.0.0.1', dnsPort: 0, publicIp: '203.0.113.10',
      notify: { webhooks: [webhook.url] },
    });
    if (haveUnbound) unbound = await startUnbound(ZONE, console_.dnsPort!);
  });
  afterAll(async () => {
    await unbound?.stop();
    await console_?.stop();
    webhook?.close();
  });

  it('a DNS token looked up through unbound makes exactly one hit with the memo; generic data decodes', async () => {
    if (!haveDig || !haveUnbound) return;
    const hostname = cli('token', 'new', 'dns', '--memo', 'Critical_Infrastructure_SQL_Backup');
    expect(hostname).toMatch(new RegExp(`^[a-z2-7]{25}\\.${ZONE.replace(/\./g, '\\.')}$`));
    const token = tokenOf(hostname);
    const answer = await runAsync('dig', ['+short', '+tries=1', '-p', String(unbound!.port), '@127.0.0.1', hostname, 'A']);
    expect(answer.stdout.trim()).toBe('203.0.113.10');
    const [hit, ...more] = await settled(token, 1);
    expect(more).toEqual([]);
    expect(hit).toMatchObject({ tokenId: token, memo: 'Critical_Infrastructure_SQL_Backup', channel: 'dns', alerted: true, src: { ip: '127.0.0.1' }, dns: { queryType: 'A' } });

    // Canarytokens generic data: unbound walks <token>, G42.<token>, then the whole name.
    const data = `${base32Encode(Buffer.from('hello'))}.G42.${hostname}`;
    await runAsync('dig', ['+short', '+tries=1', '-p', String(unbound!.port), '@127.0.0.1', data, 'A']);
    const hits = await settled(token, 2);
    expect(hits).toHaveLength(2);
    expect(hits[0]!.dns).toMatchObject({ data: 'hello', name: data.toLowerCase() });
    expect(hits[0]!.dns!.queries).toBeGreaterThanOrEqual(1);
    // One incident, one notification for the token and resolver.
    await waitFor(() => (events.some((e) => e.incident.decoy === token) ? true : undefined), 10_000, 'the notification');
    expect(events.filter((e) => e.incident.decoy === token)).toMatchObject([{ type: 'incident.opened', incident: { kind: 'token', gatewayId: 'console', memo: 'Critical_Infrastructure_SQL_Backup', classification: 'red', severity: 'critical' } }]);
    const incidents = ((await (await api('/api/v1/incidents')).json()) as { incidents: { kind: string; decoy: string; hitCount: number }[] }).incidents;
    expect(incidents.find((i) => i.decoy === token)).toMatchObject({ kind: 'token', hitCount: 2 });
  });

  it('a URL token fetched with curl makes a hit with the user agent; an unknown token is the plain 404', async () => {
    if (!haveCurl) return;
    const url = cli('token', 'new', 'url', '--memo', 'Wiki page: SCADA VPN', '--public-url', console_.url);
    expect(url).toMatch(new RegExp(`^${console_.url}/t/[a-z2-7]{25}$`));
    const got = await runAsync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{content_type}', '-A', 'Mozilla/5.0 (intruder)', `${url}/docs/vpn.pdf`]);
    expect(got.stdout).toBe('200 image/gif');
    const token = url.split('/').at(-1)!;
    const [hit] = await hitsOf(token);
    expect(hit).toMatchObject({ channel: 'http', memo: 'Wiki page: SCADA VPN', src: { ip: '127.0.0.1' }, http: { method: 'GET', userAgent: 'Mozilla/5.0 (intruder)' } });
    expect(hit!.http!.headers['user-agent']).toBe('Mozilla/5.0 (intruder)');

    const body = async (path: string) => (await runAsync('curl', ['-s', '-i', `${console_.url}${path}`])).stdout.replace(/^date: .*$/im, '').replace(path, 'PATH');
    // The same answer as for a name that is not even token-shaped: nothing tells them apart.
    const unknownToken = await body(`/t/${'a'.repeat(25)}`);
    expect(unknownToken).toMatch(/^HTTP\/1.1 404/);
    expect(unknownToken).toBe(await body(`/t/${'1'.repeat(25)}`));
    expect(await body('/t/')).toMatch(/^HTTP\/1.1 404/);
    // The management API is not public.
    expect((await fetch(`${console_.url}/api/v1/tokens`)).status).toBe(401);
  });

  it('planted scripts: the bat and sh files hold a plain nslookup of the token, and running it alerts', async () => {
    if (!haveNslookup) return;
    for (const kind of ['bat', 'sh']) {
      const out = join(dir, kind === 'bat' ? 'db_maintenance.bat' : 'backup_check.sh');
      cli('token', 'new', kind, '--memo', `HIST-01 ${kind}`, '--out', out);
      const text = readFileSync(out, 'utf8');
      if (kind === 'bat') expect(text).not.toMatch(/powershell/i);
      const hostname = new RegExp(`^nslookup (\\S+\\.${ZONE.replace(/\./g, '\\.')})(\\r?$| )`, 'm').exec(text)?.[1];
      expect(hostname, text).toBeDefined();
      // The lookup the script does, aimed at the console on loopback instead of the site resolver.
      await runAsync('nslookup', [`-port=${console_.dnsPort}`, hostname!, '127.0.0.1']);
      const [hit] = await settled(tokenOf(hostname!), 1);
      expect(hit).toMatchObject({ memo: `HIST-01 ${kind}`, channel: 'dns', alerted: true });
    }
  });

  it('two stamps of a stub differ, both validate, and the hostname inside each alerts with its own memo', async () => {
    if (!haveStrings || !haveDig) return;
    const copies = ['eng-ws-07 D:\\Backups', 'file server \\\\fs01\\ot\\firmware'].map((memo, i) => {
      const out = join(dir, `fw-${i}.pfw`);
      cli('stub', 'stamp', 'plc-firmware', '--memo', memo, '--out', out);
      return { memo, out, bytes: readFileSync(out) };
    });
    expect(copies[0]!.bytes.equals(copies[1]!.bytes)).toBe(false);
    for (const copy of copies) {
      const verdict = verifyImage(copy.bytes);
      expect(verdict.ok).toBe(true);
      expect(runCli(['stub', 'verify', copy.out]).status).toBe(0);
      const host = (await runAsync('strings', [copy.out])).stdout.split('\n').map((l) => new RegExp(`([a-z2-7]{25}\\.${ZONE.replace(/\./g, '\\.')})`).exec(l)?.[1]).find(Boolean)!;
      expect(host).toBeDefined();
      await digConsole(host);
      const [hit] = await settled(tokenOf(host), 1);
      expect(hit!.memo).toBe(copy.memo);
    }
    // A damaged copy fails verification.
    const damaged = Buffer.from(copies[0]!.bytes);
    damaged[damaged.length - 10]! ^= 0xff;
    expect(verifyImage(damaged)).toMatchObject({ ok: false, problem: expect.stringMatching(/payload CRC/) });
  });

  it('a disabled token notifies no one; a rotated token alerts under its old name during the grace period', async () => {
    if (!haveDig) return;
    const notifiedFor = (token: string) => events.filter((e) => e.incident.decoy === token).length;
    const disabledHost = cli('token', 'new', 'dns', '--memo', 'to be disabled');
    const disabled = tokenOf(disabledHost);
    cli('token', 'disable', disabled);
    await digConsole(disabledHost);
    const [quiet] = await settled(disabled, 1);
    expect(quiet).toMatchObject({ alerted: false });

    const oldHost = cli('token', 'new', 'dns', '--memo', 'credential-like, rotated');
    const rotated = await api(`/api/v1/tokens/${tokenOf(oldHost)}/rotate`, { method: 'POST', body: JSON.stringify({ graceDays: 7 }) });
    expect(rotated.status).toBe(200);
    const { token: replacement } = (await rotated.json()) as { token: { id: string; hostname: string } };
    await digConsole(oldHost);
    await digConsole(replacement.hostname);
    const [old] = await settled(tokenOf(oldHost), 1);
    expect(old).toMatchObject({ alerted: true, memo: 'credential-like, rotated' });
    await settled(replacement.id, 1);
    await waitFor(() => (notifiedFor(tokenOf(oldHost)) === 1 && notifiedFor(replacement.id) === 1 ? true : undefined), 10_000, 'notifications for old and new names');
    expect(notifiedFor(disabled)).toBe(0);
    const list = cli('token', 'list', '--json').split('\n').map((l) => JSON.parse(l) as { id: string; status: string });
    expect(list.find((t) => t.id === disabled)?.status).toBe('disabled');
    expect(list.find((t) => t.id === tokenOf(oldHost))?.status).toBe('grace');
    // Ids are case-insensitive everywhere, and every change to a canary is in the audit log.
    const upper = tokenOf(cli('token', 'new', 'dns', '--memo', 'deleted by upper-case id'));
    expect((await fetch(`${console_.url}/api/v1/tokens/${upper.toUpperCase()}`, { method: 'DELETE', headers: { authorization: `Bearer ${API_TOKEN}` } })).status).toBe(204);
    expect(cli('token', 'list', '--json').includes(upper)).toBe(false);
    const audit = ((await (await api('/api/v1/audit?limit=50')).json()) as { audit: { actor: string; action: string; target: string }[] }).audit;
    const seen = (action: string, token: string) => audit.find((a) => a.action === action && a.target === `canary-token:${token}`)?.actor;
    expect(seen('canary-token.disable', disabled)).toMatch(/^cli:/);
    expect(seen('canary-token.rotate', tokenOf(oldHost))).toBe('token:default');
    expect(seen('canary-token.delete', upper)).toBe('token:default');
  });
});
