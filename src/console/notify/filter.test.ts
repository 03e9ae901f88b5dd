import { describe, expect, it } from 'vitest';
import { parseFilter, passes, formatFilter } from './filter.js';
import { gatewayEvent, type IncidentEvent } from './event.js';

function intrusion(severity: string, classification: string | null): IncidentEvent {
  return {
    id: 'e', type: 'incident.opened', at: '2026-01-01T00:00:00.000Z',
    incident: { id: 1, kind: 'intrusion', gatewayId: 'g', gatewayName: 'g', decoy: 'd', src: '10.0.0.1', severity, classification, techniques: [], firstSeen: '', lastSeen: '', hitCount: 1, counts: {}, writes: [], users: [] },
  };
}
const silent = gatewayEvent('e2', 'gateway.silent', { id: 'g', name: 'g' }, 3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');

describe('notification filters', () => {
  it('lets everything through without a filter, except whitelisted sources', () => {
    expect(passes(null, intrusion('low', 'yellow'))).toBe(true);
    expect(passes(null, silent)).toBe(true);
    expect(passes(null, intrusion('critical', 'whitelisted'))).toBe(false);
    expect(passes(parseFilter('severity>=low'), intrusion('critical', 'whitelisted'))).toBe(false);
  });

  it('red passes only targeted intrusions', () => {
    const red = parseFilter('red');
    expect(passes(red, intrusion('critical', 'red'))).toBe(true);
    expect(passes(red, intrusion('critical', 'yellow'))).toBe(false);
    expect(passes(red, intrusion('critical', null))).toBe(false);
    expect(passes(red, silent)).toBe(false);
  });

  it('gateway passes silent, recovered and revoked gateways; classes widen each other', () => {
    const f = parseFilter('red,gateway');
    expect(passes(f, silent)).toBe(true);
    expect(passes(f, { ...silent, type: 'gateway.recovered' })).toBe(true);
    expect(passes(f, intrusion('high', 'red'))).toBe(true);
    expect(passes(f, intrusion('high', 'yellow'))).toBe(false);
  });

  it('severity>=high passes high and critical, including silent gateways', () => {
    const f = parseFilter('severity>=high');
    expect(passes(f, intrusion('medium', 'red'))).toBe(false);
    expect(passes(f, intrusion('high', 'yellow'))).toBe(true);
    expect(passes(f, intrusion('critical', 'red'))).toBe(true);
    expect(passes(f, silent)).toBe(true);
  });

  it('class and severity narrow each other', () => {
    const f = parseFilter(' Yellow , severity >= critical ');
    expect(passes(f, intrusion('critical', 'yellow'))).toBe(true);
    expect(passes(f, intrusion('high', 'yellow'))).toBe(false);
    expect(passes(f, intrusion('critical', 'red'))).toBe(false);
    expect(formatFilter(f)).toBe('yellow,severity>=critical');
  });

  it('rejects unknown terms and severities, saying what is accepted', () => {
    expect(() => parseFilter('purple')).toThrow(/"purple" unknown: use red, yellow, gateway or severity>=/);
    expect(() => parseFilter('severity>=severe')).toThrow(/severity is one of low, medium, high, critical/);
    expect(() => parseFilter('')).toThrow(/empty filter/);
  });
});
