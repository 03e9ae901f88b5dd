/** Events whose every attacker-reachable field tries to break out of the format it lands in. */
import type { IncidentEvent } from '../../src/console/notify/event.js';

export const HOSTILE_TEXT = [
  '@everyone @here <@123456789012345678> <@&42> <#99> <!channel> <!here|here> <t:0:R>',
  '*bold* _it_ ~~s~~ `code` ```block``` **x** __u__ ||spoiler|| > quote # h1 - item [link](https://evil.example/x)',
  '<https://evil.example|click> &amp; &lt;b&gt; <b>html</b> <script>alert(1)</script> ${env:SECRET}',
  'line1\nSeverity: low\r\nBcc: victim@example.com\u0000\u001b[31m\u2028end',
  ':skull: :rotating_light: <:custom:123> \\ \\\\ \\* \\_',
].join(' ');

export function hostileEvent(overrides: Partial<IncidentEvent['incident']> = {}, type: IncidentEvent['type'] = 'incident.opened'): IncidentEvent {
  return {
    id: 'evt-1',
    type,
    at: '2026-12-03T10:00:00.000Z',
    incident: {
      id: 7, kind: 'intrusion', gatewayId: 'gw-1', gatewayName: `lift-07 ${HOSTILE_TEXT.slice(0, 60)}`, decoy: `decoy ${HOSTILE_TEXT}`, src: '10.0.0.9',
      severity: 'critical', classification: 'red', techniques: ['T0855', 'T0836'], firstSeen: '2026-12-03T09:59:00.000Z', lastSeen: '2026-12-03T10:00:00.000Z',
      hitCount: 3, counts: { Write: 1, Read: 2 }, writes: [`40001=${HOSTILE_TEXT}`, 'x'.repeat(5000)], users: [`admin ${HOSTILE_TEXT}`, 'opcua-app=<@1>'],
      ...overrides,
    },
  };
}
