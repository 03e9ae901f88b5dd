import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MAX_CHUNKS, chunkCapacity, deriveDnsKeys, encodeName, openChunk, parseLabels, sealChunk, MAX_NAME_LENGTH } from './envelope.js';

const keys = deriveDnsKeys(randomBytes(32));
const gw = '0123456789abcdef';
const zone = 'canary.example.net';
const chunk = (index: number, count: number, data = Buffer.from('hello')) => ({ msgId: randomBytes(6), index, count, data });

describe('DNS envelope', () => {
  it('round-trips a chunk through a query name of legal size, in any letter case', () => {
    const data = randomBytes(chunkCapacity(gw, zone));
    const { sealed } = sealChunk(keys, gw, zone, chunk(0, 1, data));
    const name = encodeName(sealed, gw, zone);
    expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(name.split('.').every((l) => l.length <= 63)).toBe(true);
    const labels = name.slice(0, -zone.length - 1).split('.').map((l, i) => (i % 2 ? l.toUpperCase() : l));
    const parsed = parseLabels(labels);
    expect(parsed.kind).toBe('data');
    expect(parsed.kind === 'data' && openChunk(keys, gw, zone, parsed.sealed)?.data.equals(data)).toBe(true);
  });

  it('answers partial for the names a QNAME-minimising resolver sends first', () => {
    const { sealed } = sealChunk(keys, gw, zone, chunk(0, 1, randomBytes(chunkCapacity(gw, zone))));
    const labels = encodeName(sealed, gw, zone).slice(0, -zone.length - 1).split('.');
    for (let keep = 1; keep < labels.length; keep++) expect(parseLabels(labels.slice(labels.length - keep)).kind).toBe('partial');
  });

  it('refuses chunks of another gateway, zone or key, and chunk counts above the limit', () => {
    const { sealed } = sealChunk(keys, gw, zone, chunk(0, 1));
    expect(openChunk(keys, 'fedcba9876543210', zone, sealed)).toBeUndefined();
    expect(openChunk(keys, gw, 'other.example.net', sealed)).toBeUndefined();
    expect(openChunk(deriveDnsKeys(randomBytes(32)), gw, zone, sealed)).toBeUndefined();
    expect(openChunk(keys, gw, zone, sealChunk(keys, gw, zone, chunk(0, MAX_CHUNKS + 1)).sealed)).toBeUndefined();
    expect(openChunk(keys, gw, zone, sealChunk(keys, gw, zone, chunk(3, 3)).sealed)).toBeUndefined();
  });
});
