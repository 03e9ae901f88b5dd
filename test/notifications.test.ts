/**
 * Notifications never drop an alert: a webhook that is down for 30 s gets every incident once it
 * is back, in order, once each; syslog CEF lines parse, whatever an attacker put in the fields.
 */
import { writeFrom } from './helpers/modbus.js';
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { API_TOKEN, startStack } from './helpers/stack.js';
import { webhookReceiver, type WebhookReceiver } from './helpers/webhook.js';
import { freePort, waitFor } from './helpers/net.js';
import { parseCef } from './helpers/cef.js';
import { formatCef } from '../src/console/notify/cef.js';
import type { IncidentEvent } from '../src/console/notify/event.js';

describe('webhook notifications', () => {
  it('deliver every incident once after the receiver was down for 30 s', async () => {
    const port = await freePort();
    const stack = await startStack({ notify: { webhooks: [`http://127.0.0.1:${port}/hook`] } });
    let received: IncidentEvent[] = [];
    let receiver: WebhookReceiver | undefined;
    try {
      // Five incidents (five sources writing) while nothing listens on the webhook's port.
      for (let s = 0; s < 5; s++) await writeFrom(stack.gateway.modbusPort, `127.0.0.${20 + s}`, s);
      await waitFor(() => (stack.console.notifier.snapshot()[0]!.pending >= 5 ? true : undefined), 10_000, 'five queued notifications');
      expect(stack.console.notifier.snapshot()[0]!.failingSince).not.toBeNull();
      await new Promise((r) => setTimeout(r, 30_000));
      receiver = await webhookReceiver(port);
      received = receiver.events;
      await waitFor(() => (received.length >= 5 && stack.console.notifier.snapshot()[0]!.pending === 0 ? true : undefined), 90_000, 'delivery after the outage');
      await new Promise((r) => setTimeout(r, 1_500));
      const opened = received.filter((e) => e.type === 'incident.opened');
      expect(opened.map((e) => e.incident.src).sort()).toEqual(['127.0.0.20', '127.0.0.21', '127.0.0.22', '127.0.0.23', '127.0.0.24']);
      expect(new Set(received.map((e) => e.id)).size).toBe(received.length);
      expect(opened[0]!.incident).toMatchObject({ severity: 'critical', classification: 'red', techniques: expect.arrayContaining(['T0855']) });
      const metrics = await stack.metrics();
      expect(metrics).toMatch(/tripline_incidents_total\{type="incident.opened",classification="red"\} 5/);
      expect(metrics).toMatch(/tripline_notification_queue_depth\{destination="webhook:[^"]+"\} 0/);
      expect(metrics).toMatch(/tripline_notifications_total\{destination="webhook:[^"]+"\} [5-9]/);
    } finally {
      receiver?.close();
      await stack.stop();
    }
  }, 150_000);
});

describe('syslog CEF', () => {
  const hostile: IncidentEvent = {
    id: 'e1', type: 'incident.opened', at: '2026-12-03T10:00:00.000Z',
    incident: {
      id: 7, kind: 'intrusion', gatewayId: 'gw-1', gatewayName: 'lift|07\\north', decoy: 'water=lift|station', src: '10.0.0.9', severity: 'critical', classification: 'red',
      techniques: ['T0855'], firstSeen: '2026-12-03T09:59:00.000Z', lastSeen: '2026-12-03T10:00:00.000Z', hitCount: 3, counts: { Write: 1, Read: 2 },
      writes: ['Write=a|b=c\\d\nCEF:0|evil|x|1|2|3|10|src=6.6.6.6\r'], users: ['admin=1 cs1=x'],
    },
  };

  it('escapes pipes, equals signs, backslashes and line breaks so every field parses back exactly', () => {
    const line = formatCef(hostile, 'console-1', '0.1.0');
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toMatch(/^<106>1 2026-12-03T10:00:00.000Z console-1 tripline - incident.opened \[tripline@32473 /);
    const cef = parseCef(line);
    expect(cef).toMatchObject({ vendor: 'Tripline', product: 'Tripline Console', signature: 'incident.opened', severity: '10', name: 'Targeted intrusion on decoy water=lift|station' });
    expect(cef.extension).toMatchObject({ cs1: 'water=lift|station', dvchost: 'lift|07\\north', cs5: 'Write=a|b=c\\d\nCEF:0|evil|x|1|2|3|10|src=6.6.6.6\r', cs4: 'admin=1 cs1=x', src: '10.0.0.9' });
  });

  it('reach a TCP syslog receiver as octet-counted frames that parse', async () => {
    const port = await freePort();
    const frames: string[] = [];
    const server = net.createServer((socket) => {
      let buffer = '';
      socket.on('data', (d) => {
        buffer += d.toString('utf8');
        for (let m = /^(\d+) /.exec(buffer); m && buffer.length >= m[0].length + Number(m[1]); m = /^(\d+) /.exec(buffer)) {
          frames.push(buffer.slice(m[0].length, m[0].length + Number(m[1])));
          buffer = buffer.slice(m[0].length + Number(m[1]));
        }
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const stack = await startStack({ notify: { syslog: [`tcp://127.0.0.1:${port}`] } });
    try {
      await writeFrom(stack.gateway.modbusPort, '127.0.0.31', 1);
      await waitFor(() => (frames.length >= 1 ? true : undefined), 10_000, 'a syslog frame');
      const cef = parseCef(frames[0]!);
      expect(cef.extension).toMatchObject({ src: '127.0.0.31', cs2: 'red' });
      expect(cef.severity).toBe('10');
    } finally {
      await stack.stop();
      server.close();
    }
  }, 30_000);
});

describe('the scanner whitelist', () => {
  it('records a whitelisted scan but notifies no one; a CIDR added in the API takes effect at once', async () => {
    const receiver = await webhookReceiver();
    const received = receiver.events;
    const stack = await startStack({ whitelist: ['127.0.0.60/31'], notify: { webhooks: [receiver.url] } });
    try {
      const added = await fetch(`${stack.console.url}/api/v1/whitelist`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ cidr: '127.0.0.70/32', note: 'Nessus' }),
      });
      expect(added.status).toBe(200);
      // The plant's scanners write (the worst they could do), then an intruder does the same.
      await writeFrom(stack.gateway.modbusPort, '127.0.0.61', 1);
      await writeFrom(stack.gateway.modbusPort, '127.0.0.70', 2);
      await writeFrom(stack.gateway.modbusPort, '127.0.0.80', 3);
      await waitFor(() => (received.length >= 1 ? true : undefined), 10_000, 'the intruder notified');
      const incidents = (await (await stack.api('/api/v1/incidents')).json()) as { incidents: { src: { ip: string }; classification: string }[] };
      expect(incidents.incidents.map((i) => [i.src.ip, i.classification]).sort()).toEqual([
        ['127.0.0.61', 'whitelisted'],
        ['127.0.0.70', 'whitelisted'],
        ['127.0.0.80', 'red'],
      ]);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(received.map((e) => e.incident.src)).toEqual(['127.0.0.80']);
    } finally {
      receiver.close();
      await stack.stop();
    }
  }, 60_000);
});
