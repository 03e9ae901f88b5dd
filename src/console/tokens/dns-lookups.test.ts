import { describe, expect, it } from 'vitest';
import { DnsTokenLookups, type DnsLookup } from './dns-lookups.js';
import { newTokenId, parseTokenLabels } from './names.js';
import { base32Encode } from '../../relay/dns/base32.js';

const zone = 'canary.example.net';

function collect(windowMs = 50) {
  const reported: DnsLookup[] = [];
  const lookups = new DnsTokenLookups((l) => reported.push(l), windowMs);
  const ask = (name: string, qtype = 'A', src = '192.0.2.1') => lookups.add(parseTokenLabels(name.split('.').slice(0, -zone.split('.').length))!, name, qtype, src);
  return { reported, ask, settle: () => new Promise((r) => setTimeout(r, windowMs * 3)) };
}

describe('token lookups', () => {
  it("makes one hit of a QNAME-minimising resolver's walk, with random case, keeping the data", async () => {
    const { reported, ask, settle } = collect();
    const token = newTokenId();
    const data = base32Encode(Buffer.from('hello'));
    ask(`${token.toUpperCase()}.${zone}`);
    ask(`g42.${token}.${zone}`);
    ask(`${data.toLowerCase()}.G42.${token}.${zone}`);
    ask(`${data}.G42.${token}.${zone}`, 'AAAA');
    await settle();
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ token, name: `${data}.g42.${token}.${zone}`.toLowerCase(), data: 'hello', queries: 4, queryTypes: ['A', 'AAAA'] });
  });

  it('folds a flood of unrelated names under one token into at most 16 lookups, counting every query', async () => {
    const { reported, ask, settle } = collect();
    const token = newTokenId();
    for (let i = 0; i < 5_000; i++) ask(`b${i}.${token}.${zone}`);
    await settle();
    expect(reported).toHaveLength(16);
    expect(reported.reduce((n, l) => n + l.queries, 0)).toBe(5_000);
  });

  it('keeps different data, different resolvers and different tokens apart', async () => {
    const { reported, ask, settle } = collect();
    const token = newTokenId();
    ask(`${base32Encode(Buffer.from('one'))}.G01.${token}.${zone}`);
    ask(`${base32Encode(Buffer.from('two'))}.G02.${token}.${zone}`);
    ask(`${token}.${zone}`, 'A', '192.0.2.2');
    ask(`${newTokenId()}.${zone}`);
    await settle();
    expect(reported.map((r) => r.data ?? r.src).sort()).toEqual(['192.0.2.1', '192.0.2.2', 'one', 'two']);
  });

  it('reports a later lookup as another hit', async () => {
    const { reported, ask, settle } = collect();
    const token = newTokenId();
    ask(`${token}.${zone}`);
    await settle();
    ask(`${token}.${zone}`);
    await settle();
    expect(reported).toHaveLength(2);
  });
});
