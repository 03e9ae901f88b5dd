import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { signAck, signBatch, signaturesMatch } from './wire.js';

describe('batch and acknowledgement signatures', () => {
  const secret = randomBytes(32);
  const body = '{"hits":[]}';
  const sig = signBatch(secret, 'gw-1', '1700000000000', body);

  it('verifies an untouched batch and rejects any altered part', () => {
    expect(signaturesMatch(signBatch(secret, 'gw-1', '1700000000000', body), sig)).toBe(true);
    expect(signaturesMatch(signBatch(secret, 'gw-2', '1700000000000', body), sig)).toBe(false);
    expect(signaturesMatch(signBatch(secret, 'gw-1', '1700000000001', body), sig)).toBe(false);
    expect(signaturesMatch(signBatch(secret, 'gw-1', '1700000000000', body + ' '), sig)).toBe(false);
    expect(signaturesMatch(signBatch(randomBytes(32), 'gw-1', '1700000000000', body), sig)).toBe(false);
    expect(signaturesMatch(sig, undefined)).toBe(false);
    expect(signaturesMatch(sig, sig.slice(0, -1))).toBe(false);
  });

  it('binds an acknowledgement to the request it answers', () => {
    const ack = signAck(secret, sig, '{"acked":["a"],"rejected":[]}');
    expect(signaturesMatch(signAck(secret, sig, '{"acked":["a"],"rejected":[]}'), ack)).toBe(true);
    expect(signaturesMatch(signAck(secret, 'v1=other', '{"acked":["a"],"rejected":[]}'), ack)).toBe(false);
  });
});
