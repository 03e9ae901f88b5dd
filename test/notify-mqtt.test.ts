/**
 * MQTT notifications against a real Mosquitto: incidents arrive at a subscriber on the gateway's
 * topic with QoS 1, a subscriber that comes late still sees each gateway's retained status (ok,
 * silent, revoked), and
 * incidents raised while the broker is down stay queued until it is back, then arrive once each.
 */
import { writeFrom } from './helpers/modbus.js';
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { startStack } from './helpers/stack.js';
import { waitFor } from './helpers/net.js';
import { hasMosquitto, startMosquitto } from './helpers/mosquitto.js';
import type { IncidentEvent } from '../src/console/notify/event.js';

interface Message {
  topic: string;
  body: Record<string, unknown>;
  retain: boolean;
}

async function subscriber(port: number, filter: string, options: { clientId?: string; clean?: boolean } = {}): Promise<{ client: MqttClient; messages: Message[] }> {
  const messages: Message[] = [];
  const client = await mqtt.connectAsync({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 200, clean: options.clean ?? true, ...(options.clientId ? { clientId: options.clientId } : {}) });
  client.on('error', () => {});
  client.on('message', (topic, payload, packet) => messages.push({ topic, body: JSON.parse(payload.toString('utf8')) as Record<string, unknown>, retain: packet.retain }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, messages };
}

describe.runIf(hasMosquitto())('MQTT notifications', () => {
  it('publish incidents per gateway, keep a retained status, and queue through a broker outage', async () => {
    const broker = await startMosquitto();
    // A SOC client with a persistent session: the broker keeps its QoS 1 messages while it is away.
    const soc = await subscriber(broker.port, 'tripline/plant-a/+/incidents', { clientId: 'soc-test', clean: false });
    const stack = await startStack({ dns: true, resolverPort: (dnsPort) => dnsPort, heartbeatIntervalSeconds: 1, silentAfterMissed: 2, notify: { specs: [`mqtt://127.0.0.1:${broker.port}/tripline?site=plant-a`] } });
    const late: MqttClient[] = [];
    try {
      const gatewayName = stack.console.store.listGateways()[0]!.name;
      const incidents = () => soc.messages.map((m) => ({ topic: m.topic, event: m.body as unknown as IncidentEvent }));

      await writeFrom(stack.gateway.modbusPort, '127.0.0.51', 1);
      const first = await waitFor(() => incidents().find((m) => m.event.incident.src === '127.0.0.51'), 10_000, 'an incident over MQTT');
      expect(first.topic).toBe(`tripline/plant-a/${gatewayName}/incidents`);
      expect(first.event).toMatchObject({ type: 'incident.opened', incident: { classification: 'red', severity: 'critical' } });

      // Silence: the retained status says so to a client that subscribes only afterwards.
      await waitFor(() => stack.console.store.listGateways()[0]!.heartbeatAt ?? undefined, 10_000, 'a heartbeat');
      await stack.stopGateway();
      await waitFor(() => incidents().find((m) => m.event.type === 'gateway.silent'), 10_000, 'gateway.silent over MQTT');
      const noc = await subscriber(broker.port, 'tripline/plant-a/+/status');
      late.push(noc.client);
      const retained = await waitFor(() => noc.messages[0], 5_000, 'the retained status');
      expect(retained).toMatchObject({ topic: `tripline/plant-a/${gatewayName}/status`, retain: true, body: { status: 'silent', site: 'plant-a', gatewayName } });
      await stack.startGateway();
      const ok = await waitFor(() => noc.messages.find((m) => m.body.status === 'ok'), 15_000, 'status ok');
      expect(ok.retain).toBe(false); // live delivery of a retained publish carries retain=0 (MQTT 3.1.1 section 3.3.1.3)
      const later = await subscriber(broker.port, 'tripline/plant-a/+/status');
      late.push(later.client);
      expect(await waitFor(() => later.messages[0], 5_000, 'the retained status again')).toMatchObject({ retain: true, body: { status: 'ok' } });

      // Revocation (whatever revokes tells the watch): the retained status says so.
      stack.console.watch.revoked(stack.console.store.listGateways()[0]!.id);
      expect(await waitFor(() => noc.messages.find((m) => m.body.status === 'revoked'), 5_000, 'status revoked')).toMatchObject({ topic: `tripline/plant-a/${gatewayName}/status` });

      // Broker down: incidents wait in the console's queue (no PUBACK, no removal), then arrive once.
      await broker.stop();
      await writeFrom(stack.gateway.modbusPort, '127.0.0.52', 2);
      await writeFrom(stack.gateway.modbusPort, '127.0.0.53', 3);
      await waitFor(() => (stack.console.notifier.snapshot()[0]!.pending >= 2 ? true : undefined), 10_000, 'two queued notifications');
      const down = stack.console.notifier.snapshot()[0]!;
      expect(down.failingSince).not.toBeNull();
      expect(down.lastError).toMatch(/ECONNREFUSED/);
      expect(down.permanent).toBe(false);
      await new Promise((r) => setTimeout(r, 4_000));
      expect(stack.console.notifier.snapshot()[0]!.pending).toBeGreaterThanOrEqual(2);
      await broker.start();
      await waitFor(() => (stack.console.notifier.snapshot()[0]!.pending === 0 ? true : undefined), 40_000, 'the queue drained');
      await waitFor(() => ['127.0.0.52', '127.0.0.53'].every((ip) => incidents().some((m) => m.event.incident.src === ip)) || undefined, 10_000, 'both incidents at the SOC client');
      await new Promise((r) => setTimeout(r, 1_000));
      const outage = incidents().filter((m) => m.event.incident.src === '127.0.0.52' || m.event.incident.src === '127.0.0.53');
      expect(outage.filter((m) => m.event.type === 'incident.opened')).toHaveLength(2);
      expect(new Set(incidents().map((m) => m.event.id)).size).toBe(incidents().length);
      expect(stack.console.notifier.snapshot()[0]).toMatchObject({ failingSince: null, lastError: null, name: `mqtt:mqtt://127.0.0.1:${broker.port}/tripline?site=plant-a` });
    } finally {
      for (const c of late) await c.endAsync(true);
      await soc.client.endAsync(true);
      await stack.stop();
      await broker.stop();
    }
  }, 120_000);
});
