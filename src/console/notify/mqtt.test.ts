import { describe, expect, it } from 'vitest';
import { statusMessage, topicLevel, topicsFor } from './mqtt.js';
import { gatewayEvent } from './event.js';

describe('MQTT topics', () => {
  it('makes one topic level of any gateway or site name: no /, +, #, controls or leading $', () => {
    expect(topicLevel('lift-07')).toBe('lift-07');
    expect(topicLevel('a/b+c#d\u0000e\nf')).toBe('a_b_c_d_e_f');
    expect(topicLevel('$SYS')).toBe('_SYS');
    expect(topicLevel('')).toBe('_');
    expect(topicLevel('x'.repeat(500))).toHaveLength(100);
  });

  it('puts incidents and the retained status under PREFIX/SITE/GATEWAY', () => {
    const event = gatewayEvent('e1', 'gateway.silent', { id: 'gw-1', name: 'north/lift#7' }, 3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:05.000Z');
    expect(topicsFor({ topicPrefix: 'ot/tripline', site: 'plant a' }, event)).toEqual({ incidents: 'ot/tripline/plant a/north_lift_7/incidents', status: 'ot/tripline/plant a/north_lift_7/status' });
    expect(statusMessage(event, 'plant-a')).toEqual({ status: 'silent', since: '2026-01-01T00:00:00.000Z', gatewayId: 'gw-1', gatewayName: 'north/lift#7', site: 'plant-a', event: 'e1' });
    expect(statusMessage({ ...event, type: 'gateway.recovered' }, 'p')).toMatchObject({ status: 'ok', since: '2026-01-01T00:00:05.000Z' });
    expect(statusMessage({ ...event, type: 'gateway.revoked' }, 'p')).toMatchObject({ status: 'revoked' });
    expect(statusMessage({ ...event, type: 'incident.opened' }, 'p')).toBeNull();
  });
});
