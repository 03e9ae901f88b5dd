/** Builds the destination adapter a parsed spec names. */
import type { Destination } from './notifier.js';
import type { DestinationSpec } from './spec.js';
import { WebhookDestination } from './webhook.js';
import { SyslogDestination } from './syslog.js';
import { MqttDestination } from './mqtt.js';
import { EmailDestination } from './email.js';

export function createDestination(spec: DestinationSpec, version: string): Destination {
  switch (spec.kind) {
    case 'syslog':
      return new SyslogDestination(spec, version);
    case 'mqtt':
      return new MqttDestination(spec);
    case 'smtp':
      return new EmailDestination(spec);
    default:
      return new WebhookDestination({ url: spec.url, kind: spec.kind, key: spec.key, display: spec.display, filter: spec.filter });
  }
}
