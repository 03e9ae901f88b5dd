import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseLabels } from '../../relay/dns/envelope.js';
import { base32Encode } from '../../relay/dns/base32.js';
import { isTokenLabel, newTokenId, parseTokenLabels } from './names.js';

const randomCase = (s: string, flips: boolean[]) => [...s].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c)).join('');

describe('token names', () => {
  it('never collide with gateway data names, in either direction', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.boolean(), { minLength: 1 }), (_, flips) => {
        const token = randomCase(newTokenId(), flips);
        expect(parseLabels([token])).toEqual({ kind: 'malformed', gwLabel: null });
        expect(parseLabels(['1abc', token]).kind).toBe('malformed');
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{16}$/), (gwLabel) => {
        expect(isTokenLabel(gwLabel)).toBe(false);
        expect(parseTokenLabels(['1abcdef', gwLabel])).toBeUndefined();
      }),
    );
  });

  it('decodes Canarytokens generic data whatever the letter case', () => {
    const token = newTokenId();
    const data = base32Encode(Buffer.from('hello'));
    expect(parseTokenLabels([data, 'G42', token])).toEqual({ token, prefix: [data, 'G42'], data: 'hello' });
    expect(parseTokenLabels([data.toLowerCase(), 'g07', token.toUpperCase()])).toMatchObject({ token, data: 'hello' });
    // Split anywhere into labels.
    expect(parseTokenLabels([data.slice(0, 3), data.slice(3), 'G00', token])?.data).toBe('hello');
  });

  it('reads other names below a token as plain lookups', () => {
    const token = newTokenId();
    expect(parseTokenLabels([token])).toEqual({ token, prefix: [] });
    expect(parseTokenLabels(['G42', token])).toEqual({ token, prefix: ['G42'] });
    expect(parseTokenLabels(['!!', 'G42', token])).toEqual({ token, prefix: ['!!', 'G42'] });
    expect(parseTokenLabels(['www', token.slice(1)])).toBeUndefined();
  });
});
