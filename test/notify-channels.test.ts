/**
 * Output channels end to end, from a Modbus write at a decoy to a loopback receiver: Slack, Teams
 * and Discord webhooks in their own formats, per-destination filters, a gone webhook flagged for
 * the operator, silent and recovered gateways, syslog over TLS (RFC 5425) against a collector with
 * a throwaway certificate, and email to a real SMTP server. No secret from a URL is ever shown.
 */
import { writeFrom } from './helpers/modbus.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { startStack } from './helpers/stack.js';
import { waitFor } from './helpers/net.js';
import { httpReceiver, type Receiver } from './helpers/http-receiver.js';
import { selfSignedCertificate } from './helpers/tls-cert.js';
import { parseCef } from './helpers/cef.js';
import type { IncidentEvent } from '../src/console/notify/event.js';

describe('chat webhooks and filters', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await httpReceiver((path) => (path === '/gone' ? 404 : path.startsWith('/services') ? 200 : 204));
  });
  afterAll(() => receiver.close());

  it('deliver Slack, Teams and Discord payloads, honour filters, flag a gone hook, and never show a token', async () => {
    const base = `http://127.0.0.1:${receiver.port}`;
    const specs = [
      `slack+${base}/services/T1/B1/SLACKSECRET`,
      `teams+${base}/workflows/w1/invoke?sig=TEAMSSECRET`,
      `discord+${base}/api/webhooks/1/DISCORDSECRET`,
      `red:${base}/red-only`,
      `yellow,gateway:${base}/yellow-only`,
      `discord+${base}/gone`,
    ];
    const stack = await startStack({ notify: { specs } });
    try {
      await writeFrom(stack.gateway.modbusPort, '127.0.0.41', 3);
      const gone = () => stack.console.notifier.snapshot().find((s) => s.name.startsWith('discord:') && s.lastError !== null);
      await waitFor(() => ['/services/T1/B1/SLACKSECRET', '/workflows/w1/invoke?sig=TEAMSSECRET', '/api/webhooks/1/DISCORDSECRET', '/red-only'].every((p) => receiver.on(p).length > 0) && gone(), 15_000, 'every destination tried');

      const slack = receiver.on('/services/T1/B1/SLACKSECRET')[0]!.body as { mrkdwn: boolean; blocks: { type: string }[]; text: string };
      expect(slack.mrkdwn).toBe(false);
      expect(slack.blocks[0]!.type).toBe('header');
      expect(slack.text).toMatch(/^CRITICAL Targeted intrusion opened: decoy .+ from 127\.0\.0\.41$/);
      const teams = receiver.on('/workflows/w1/invoke?sig=TEAMSSECRET')[0]!.body as { type: string; attachments: { contentType: string; content: { type: string } }[] };
      expect(teams).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }] });
      const discord = receiver.on('/api/webhooks/1/DISCORDSECRET')[0]!.body as { allowed_mentions: object; embeds: { description: string }[] };
      expect(discord.allowed_mentions).toEqual({ parse: [] });
      expect(discord.embeds[0]!.description).toMatch(/\*\*Source:\*\* 127\\\.0\\\.0\\\.41/);
      const json = receiver.on('/red-only')[0]!.body as IncidentEvent;
      expect(json).toMatchObject({ type: 'incident.opened', incident: { src: '127.0.0.41', classification: 'red' } });

      const status = stack.console.notifier.snapshot();
      // The filter is applied when queuing: the yellow destination holds nothing and received nothing.
      expect(receiver.on('/yellow-only')).toEqual([]);
      expect(status.find((s) => s.name.endsWith('[yellow,gateway]'))).toMatchObject({ pending: 0, delivered: 0, filter: 'yellow,gateway' });
      expect(status.find((s) => s.name.endsWith('[red]'))).toMatchObject({ pending: 0, filter: 'red' });
      expect(gone()).toMatchObject({ permanent: true, attention: true, pending: 1, lastError: expect.stringMatching(/HTTP 404$/) });

      const shown = JSON.stringify(status) + (await stack.metrics());
      expect(shown).not.toMatch(/SECRET|\/gone|red-only|yellow-only/);
      expect(shown).toMatch(/tripline_notification_failing_seconds\{destination="discord:http:\/\/127\.0\.0\.1:\d+\/…#[0-9a-f]{8}"\} \d/);
    } finally {
      await stack.stop();
    }
  });

  it('tell the SOC when a gateway goes silent and when it is heard again', async () => {
    const path = '/liveness';
    const stack = await startStack({ dns: true, resolverPort: (dnsPort) => dnsPort, heartbeatIntervalSeconds: 1, silentAfterMissed: 2, notify: { specs: [`gateway:http://127.0.0.1:${receiver.port}${path}`] } });
    try {
      const events = () => receiver.on(path).map((r) => r.body as IncidentEvent);
      const gateways = async () => ((await (await stack.api('/api/v1/gateways')).json()) as { gateways: { status: string }[] }).gateways;
      await waitFor(async () => (await gateways())[0]?.status === 'ok' || undefined, 10_000, 'a first heartbeat');
      await stack.stopGateway();
      const silent = await waitFor(() => events().find((e) => e.type === 'gateway.silent'), 10_000, 'gateway.silent');
      expect(silent.incident).toMatchObject({ kind: 'gateway-silent', severity: 'high', gatewayName: expect.any(String), gatewayId: expect.any(String) });
      expect(silent.incident.id).toBeGreaterThan(0);
      await stack.startGateway();
      const recovered = await waitFor(() => events().find((e) => e.type === 'gateway.recovered'), 15_000, 'gateway.recovered');
      expect(recovered.incident.id).toBe(silent.incident.id);
      expect(events().map((e) => e.type)).toEqual(['gateway.silent', 'gateway.recovered']);
    } finally {
      await stack.stop();
    }
  }, 40_000);
});

describe('syslog over TLS (RFC 5425)', () => {
  it('verifies the collector against the given CA and delivers octet-counted CEF frames; without the CA it is flagged', async () => {
    const { cert, key } = await selfSignedCertificate();
    const dir = mkdtempSync(join(tmpdir(), 'tripline-tls-'));
    const caFile = join(dir, 'collector-ca.pem');
    writeFileSync(caFile, cert);
    const frames: string[] = [];
    const server = tls.createServer({ cert, key }, (socket) => {
      let buffer = Buffer.alloc(0);
      socket.on('error', () => {});
      socket.on('data', (d: Buffer) => {
        buffer = Buffer.concat([buffer, d]);
        for (;;) {
          const space = buffer.indexOf(0x20);
          if (space < 0) break;
          const length = Number(buffer.subarray(0, space).toString('ascii'));
          if (!Number.isInteger(length) || length <= 0) throw new Error(`bad octet count ${buffer.subarray(0, space).toString()}`);
          if (buffer.length < space + 1 + length) break;
          frames.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
          buffer = buffer.subarray(space + 1 + length);
        }
      });
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const stack = await startStack({ notify: { specs: [`syslog+tls://127.0.0.1:${port}?ca=${caFile}`], syslog: [`tls://127.0.0.1:${port}`] } });
    try {
      await writeFrom(stack.gateway.modbusPort, '127.0.0.42', 2);
      await writeFrom(stack.gateway.modbusPort, '127.0.0.43', 4);
      await waitFor(() => frames.length >= 2 || undefined, 15_000, 'two TLS syslog frames');
      const sources = frames.map((f) => parseCef(f).extension.src).sort();
      expect(sources).toEqual(['127.0.0.42', '127.0.0.43']);
      expect(frames[0]).toMatch(/^<\d+>1 \S+ \S+ tripline - incident\.opened \[tripline@32473 /);
      const untrusted = await waitFor(() => stack.console.notifier.snapshot().find((s) => s.name === `syslog:tls://127.0.0.1:${port}` && s.lastError), 10_000, 'the unverified destination failing');
      expect(untrusted).toMatchObject({ permanent: true, attention: true, pending: 2, lastError: expect.stringMatching(/SELF_SIGNED|CERT|UNABLE_TO_VERIFY/) });
    } finally {
      await stack.stop();
      server.close();
    }
  });
});

describe('email over SMTP', () => {
  it('sends a plain-text message per incident, authenticated, with a one-line subject and no password shown', async () => {
    const messages: { from: string; to: string[]; raw: string; user: string | undefined }[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'soc' && auth.password === 's:cret@1') callback(null, { user: auth.username });
        else callback(new Error('bad credentials'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          messages.push({ from: (session.envelope.mailFrom as { address: string }).address, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), user: session.user as string | undefined });
          callback();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.server.address() as net.AddressInfo).port;
    const stack = await startStack({ notify: { specs: [`smtp://soc:s%3Acret%401@127.0.0.1:${port}?from=tripline@plant.example&to=soc@plant.example,oncall@plant.example`] } });
    try {
      await writeFrom(stack.gateway.modbusPort, '127.0.0.44', 5);
      const message = await waitFor(() => messages[0], 15_000, 'an email');
      expect(message).toMatchObject({ from: 'tripline@plant.example', to: ['soc@plant.example', 'oncall@plant.example'], user: 'soc' });
      const [head, body] = [message.raw.slice(0, message.raw.indexOf('\r\n\r\n')), message.raw.slice(message.raw.indexOf('\r\n\r\n') + 4)];
      const headers = head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
      expect(headers.find((h) => /^subject:/i.test(h))).toMatch(/^Subject: \[Tripline\] CRITICAL Targeted intrusion opened: decoy .+ from 127\.0\.0\.44$/);
      expect(headers.find((h) => /^content-type:/i.test(h))).toMatch(/^Content-Type: text\/plain/i);
      expect(message.raw).not.toMatch(/text\/html/i);
      expect(headers.some((h) => /^X-Tripline-Event: [0-9a-f-]{36}$/i.test(h))).toBe(true);
      expect(body).toMatch(/Source: +127\.0\.0\.44/);
      const status = stack.console.notifier.snapshot()[0]!;
      expect(status.name).toBe(`smtp:smtp://soc@127.0.0.1:${port} to soc@plant.example,oncall@plant.example`);
      await waitFor(() => stack.console.notifier.snapshot()[0]!.delivered >= 1 || undefined, 5_000, 'delivered');
      expect(JSON.stringify(stack.console.notifier.snapshot()) + (await stack.metrics())).not.toMatch(/s:cret|s%3Acret/);
    } finally {
      await stack.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
