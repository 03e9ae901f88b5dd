/** Bearer-token guard for the API and metrics. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function bearerGuard(token: string) {
  const expected = digest(token);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    // Compare digests: equal length always, so the comparison leaks nothing about the token.
    if (!match) return reply.code(401).header('www-authenticate', 'Bearer realm="tripline"').send({ error: 'bearer token required' });
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="tripline", error="invalid_token"').send({ error: 'invalid bearer token' });
    }
  };
}
