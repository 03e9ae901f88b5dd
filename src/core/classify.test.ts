import { describe, expect, it } from 'vitest';
import { classify, Whitelist } from './classify.js';
import { techniquesOf } from './attack.js';

const summary = (counts: Record<string, number>, extra: Partial<{ users: string[]; severity: 'low' | 'medium' | 'high' | 'critical'; seconds: number }> = {}) => ({
  counts,
  users: extra.users,
  severity: extra.severity ?? 'low',
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: new Date(Date.parse('2026-01-01T00:00:00Z') + (extra.seconds ?? 0) * 1000).toISOString(),
  ranges: {},
});

describe('incident classification', () => {
  it('calls a lone identification read, a probe or a few reads yellow', () => {
    expect(classify(summary({ FC43: 1 }), false)).toBe('yellow');
    expect(classify(summary({ FC17: 1, FC43: 3 }), false)).toBe('yellow');
    expect(classify(summary({ malformed: 1 }), false)).toBe('yellow');
    expect(classify(summary({ FC3: 5 }, { seconds: 2 }), false)).toBe('yellow');
    expect(classify(summary({ GetEndpoints: 1, CreateSession: 1, Browse: 3 }), false)).toBe('yellow');
  });

  it('calls writes, calls, logins, deep browsing and lasting polling red', () => {
    expect(classify(summary({ FC3: 2, FC6: 1 }), false)).toBe('red');
    expect(classify(summary({ Call: 1 }), false)).toBe('red');
    expect(classify(summary({ ActivateSession: 1 }, { users: ['opcua_eng42'] }), false)).toBe('red');
    expect(classify(summary({ Browse: 12 }), false)).toBe('red');
    expect(classify(summary({ FC3: 30 }, { seconds: 120 }), false)).toBe('red');
  });

  it('whitelists the plant\'s own scanners, whatever they do', () => {
    const list = new Whitelist(['10.20.0.0/16', '2001:db8:5::/48', '192.0.2.7']);
    expect(list.has('10.20.3.4')).toBe(true);
    expect(list.has('::ffff:10.20.3.4')).toBe(true);
    expect(list.has('10.21.0.1')).toBe(false);
    expect(list.has('2001:db8:5:1::9')).toBe(true);
    expect(list.has('192.0.2.7')).toBe(true);
    expect(list.has('192.0.2.8')).toBe(false);
    expect(list.has('not-an-ip')).toBe(false);
    expect(classify(summary({ FC16: 40 }), list.has('10.20.3.4'))).toBe('whitelisted');
    expect(() => new Whitelist(['10.0.0.0/33'])).toThrow();
    expect(() => new Whitelist(['plc.example.net'])).toThrow();
  });
});

describe('ATT&CK for ICS techniques', () => {
  const ids = (counts: Record<string, number>, extra: { users?: string[]; ranges?: Record<string, [number, number][]> } = {}) =>
    techniquesOf({ counts, users: extra.users, ranges: extra.ranges ?? {} }).map((t) => t.id);
  it('maps what the hits did', () => {
    expect(ids({ FC43: 1 })).toEqual(['T0888']);
    expect(ids({ FC3: 2 })).toEqual(['T0801']);
    expect(ids({ FC3: 400 }, { ranges: { holdingRegisters: [[0, 1999]] } })).toEqual(['T0861', 'T0801']);
    expect(ids({ FC6: 1 })).toEqual(['T0855', 'T1692.001', 'T0836']);
    expect(ids({ FC5: 1 })).toEqual(['T0855', 'T1692.001']);
    expect(ids({ Browse: 2, Read: 1 })).toEqual(['T0861', 'T0801']);
    expect(ids({ CreateSession: 1, ActivateSession: 1 }, { users: ['svc_hmi10'] })).toEqual(['T0886', 'T0859']);
  });
});
