/**
 * MQTT: every event is published with QoS 1 to `PREFIX/SITE/GATEWAY/incidents`, and gateway
 * liveness to the retained `PREFIX/SITE/GATEWAY/status` (`ok`, `silent` or `revoked`), so a client
 * that subscribes later still learns each gateway's state. `send` resolves only on the broker's
 * PUBACK, so the notifier's queue keeps an event until the broker has it.
 *
 * The client does not reconnect by itself: the notifier's backoff decides when to try again, and
 * a publish is never left queued inside the client, where a console restart would lose it.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeliveryError, isCertificateError, type Destination } from './notifier.js';
import type { IncidentEvent } from './event.js';
import type { EventFilter } from './filter.js';
import type { DestinationSpec } from './spec.js';

type MqttSpec = Extract<DestinationSpec, { kind: 'mqtt' }>;

const CONNECT_TIMEOUT_MS = 10_000;
const PUBACK_TIMEOUT_MS = 10_000;
/** CONNACK return codes (MQTT 3.1.1 section 3.2.2.3) and reason codes (5.0) that mean wrong credentials. */
const REFUSED_CREDENTIALS = new Set([4, 5, 134, 135]);

export type GatewayStatus = 'ok' | 'silent' | 'revoked';

const STATUS: Partial<Record<IncidentEvent['type'], GatewayStatus>> = { 'gateway.silent': 'silent', 'gateway.recovered': 'ok', 'gateway.revoked': 'revoked' };

/** One topic level from any text: no `/`, `+`, `#`, NUL or control characters, no leading `$` (broker-reserved). */
export function topicLevel(text: string): string {
  const level = text.replace(/[/+#\u0000-\u001f\u007f]/g, '_').replace(/^\$/, '_').slice(0, 100);
  return level === '' ? '_' : level;
}

export function topicsFor(spec: Pick<MqttSpec, 'topicPrefix' | 'site'>, event: IncidentEvent): { incidents: string; status: string } {
  const base = `${spec.topicPrefix}/${topicLevel(spec.site)}/${topicLevel(event.incident.gatewayName ?? event.incident.gatewayId)}`;
  return { incidents: `${base}/incidents`, status: `${base}/status` };
}

/** The retained status message for a gateway event; null for incidents. */
export function statusMessage(event: IncidentEvent, site: string): object | null {
  const status = STATUS[event.type];
  if (!status) return null;
  return {
    status,
    since: status === 'silent' ? event.incident.firstSeen : event.at,
    gatewayId: event.incident.gatewayId,
    gatewayName: event.incident.gatewayName,
    site,
    event: event.id,
  };
}

export class MqttDestination implements Destination {
  readonly name: string;
  readonly display: string;
  readonly filter: EventFilter | null;
  private readonly ca: Buffer | undefined;
  private client: MqttClient | null = null;
  private readonly clientId = `tripline-console-${randomBytes(6).toString('hex')}`;

  constructor(private readonly spec: MqttSpec) {
    this.name = spec.key;
    this.display = spec.display;
    this.filter = spec.filter;
    this.ca = spec.caFile ? readCa(spec.caFile) : undefined;
  }

  async send(event: IncidentEvent): Promise<void> {
    const client = await this.connection();
    const topics = topicsFor(this.spec, event);
    await this.publish(client, topics.incidents, JSON.stringify(event), false);
    const status = statusMessage(event, this.spec.site);
    if (status) await this.publish(client, topics.status, JSON.stringify(status), true);
  }

  close(): void {
    this.client?.end(true);
    this.client = null;
  }

  private async publish(client: MqttClient, topic: string, payload: string, retain: boolean): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeliveryError(`${this.display}: no PUBACK for ${topic} within ${PUBACK_TIMEOUT_MS / 1000} s`)), PUBACK_TIMEOUT_MS);
    });
    try {
      await Promise.race([client.publishAsync(topic, payload, { qos: 1, retain }), timeout]);
    } catch (err) {
      // Drop the connection: its in-flight publish must not be resent behind the queue's back.
      this.drop(client);
      throw err instanceof DeliveryError ? err : new DeliveryError(`${this.display}: publish to ${topic}: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private drop(client: MqttClient): void {
    if (this.client === client) this.client = null;
    client.end(true);
  }

  private async connection(): Promise<MqttClient> {
    if (this.client?.connected) return this.client;
    if (this.client) this.drop(this.client);
    const { secure, host, port, username, password } = this.spec;
    const client = mqtt.connect({
      protocol: secure ? 'mqtts' : 'mqtt',
      host,
      port,
      ...(username !== null ? { username } : {}),
      ...(password !== null ? { password } : {}),
      ...(this.ca ? { ca: this.ca } : {}),
      rejectUnauthorized: true,
      clientId: this.clientId,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    // An 'error' with no listener would throw; every error also ends in 'close', handled below.
    client.on('error', () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error('connection closed')));
      });
    } catch (err) {
      client.end(true);
      const code = (err as { code?: unknown }).code;
      const refused = typeof code === 'number' && REFUSED_CREDENTIALS.has(code);
      const reason = typeof code === 'string' ? code : refused ? `broker refused the credentials (${code})` : (err as Error).message;
      throw new DeliveryError(`${this.display}: ${reason}`, refused || isCertificateError(err));
    }
    // After a close the next send connects again (and an unacknowledged publish fails).
    client.on('close', () => this.drop(client));
    this.client = client;
    return client;
  }
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new RangeError(`mqtt ca=${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}: give the PEM file of the broker's CA`);
  }
}
