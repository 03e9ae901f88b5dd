/**
 * URL tokens: a request for `<PUBLIC_TOKEN_PREFIX><token>` (or anything below it) is a hit. The
 * prefix needs no authentication (an intruder is the one who fetches it) and answers blandly: a
 * 1x1 GIF for a token, and for anything else exactly the 404 of any unknown path.
 */
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTokenLabel, PUBLIC_TOKEN_PREFIX } from '../tokens/names.js';
import type { TokenAlerts } from '../tokens/token-alerts.js';

export { PUBLIC_TOKEN_PREFIX };

export interface TokenRouteDeps {
  tokens?: TokenAlerts;
  /** A reverse proxy's client-address header (e.g. X-Forwarded-For); unset: the socket's peer. */
  realIpHeader?: string;
}

/** GIF89a, 1x1, transparent: what a tracking pixel looks like, and nothing else. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const MAX_HEADERS = 40;
const MAX_HEADER_CHARS = 512;
const MAX_PATH_CHARS = 1024;

export async function tokenRoutes(app: FastifyInstance, deps: TokenRouteDeps): Promise<void> {
  const tokens = deps.tokens;
  if (!tokens) return;
  const realIp = deps.realIpHeader?.toLowerCase();

  const handle = async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const id = req.params.token;
    const hit = isTokenLabel(id)
      ? tokens.record(id.toLowerCase(), {
          at: new Date().toISOString(),
          channel: 'http',
          src: { ip: clientAddress(req, realIp) },
          http: { method: req.method, path: req.url.slice(0, MAX_PATH_CHARS), userAgent: one(req.headers['user-agent']), headers: boundedHeaders(req) },
        })
      : undefined;
    if (!hit) return reply.callNotFound();
    return reply.header('content-type', 'image/gif').header('cache-control', 'no-store').send(PIXEL);
  };
  // Public by design, and outside --allow-cidr: the intruder is the one who fetches it.
  const config = { access: 'token' as const };
  app.get<{ Params: { token: string } }>(`${PUBLIC_TOKEN_PREFIX}:token`, { config }, handle);
  app.get<{ Params: { token: string } }>(`${PUBLIC_TOKEN_PREFIX}:token/*`, { config }, handle);
  app.get(PUBLIC_TOKEN_PREFIX, { config }, async (_req, reply) => reply.callNotFound());
}

/**
 * The proxy's header when configured and it holds an address: the rightmost entry, the one the
 * proxy itself appended (entries left of it are whatever the client claimed).
 */
function clientAddress(req: FastifyRequest, realIp: string | undefined): string | null {
  if (realIp) {
    const value = one(req.headers[realIp]);
    const last = value?.split(',').at(-1)?.trim();
    if (last && isIP(last)) return last;
  }
  return req.socket.remoteAddress ?? null;
}

function one(value: string | string[] | undefined): string | null {
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text === undefined ? null : text.slice(0, MAX_HEADER_CHARS);
}

function boundedHeaders(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers).slice(0, MAX_HEADERS)) {
    // Never keep a credential someone sent along (a proxy's or a browser's session).
    if (name === 'authorization' || name === 'cookie' || name === 'proxy-authorization') continue;
    const text = one(value);
    if (text !== null) out[name] = text;
  }
  return out;
}
