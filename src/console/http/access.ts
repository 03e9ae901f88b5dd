/**
 * Who may reach what. Every route needs a dashboard session or an API bearer token, except the
 * few that declare otherwise in their route config:
 *   - `gateway`: ingest, authenticated per request by the gateway's HMAC (and reachable from any
 *     network: gateways sit in the plant, not in the SOC's networks);
 *   - `public`: /healthz, the login page, and the public prefix that serves URL tokens.
 * `--allow-cidr` limits everything but gateway ingest, /healthz and token URLs to given networks.
 * Unsafe methods under a session also need the session's CSRF token (bearer requests carry no
 * ambient credential, so they need none).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Whitelist } from '../../core/classify.js';
import { SESSION_COOKIE, type Session, type SessionStore } from '../auth/sessions.js';
import type { ApiTokens } from '../auth/api-tokens.js';

export type Access = 'authenticated' | 'gateway' | 'public' | 'token';

export type Principal = { kind: 'session'; username: string; csrf: string; sessionId: string } | { kind: 'token'; name: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface AccessDeps {
  sessions: SessionStore;
  apiTokens: ApiTokens;
  /** Networks allowed to reach the dashboard and API (`--allow-cidr`); none: any. */
  allowed: Pick<Whitelist, 'has'> | null;
  onDenied?: (reason: 'network' | 'credentials' | 'csrf') => void;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The actor's name for the audit log. */
export function actorOf(req: FastifyRequest): string {
  const p = req.principal;
  return !p ? 'anonymous' : p.kind === 'session' ? p.username : `token:${p.name}`;
}

export function installAccessControl(app: FastifyInstance, deps: AccessDeps): void {
  app.decorateRequest('principal', undefined);

  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config?.access ?? 'authenticated';
    if (access === 'gateway' || access === 'token') return;
    if (deps.allowed && !deps.allowed.has(req.ip) && req.url !== '/healthz') {
      deps.onDenied?.('network');
      return reply.code(403).type('text/plain').send('forbidden');
    }
    if (access === 'public') return;
    const principal = authenticate(req, deps);
    if (!principal) {
      deps.onDenied?.('credentials');
      return refuse(req, reply);
    }
    req.principal = principal;
  });

  // After body parsing, so a form's hidden field can carry the token.
  app.addHook('preHandler', async (req, reply) => {
    const p = req.principal;
    if (!p || p.kind !== 'session' || !UNSAFE.has(req.method)) return;
    const sent = (typeof req.headers['x-csrf-token'] === 'string' ? req.headers['x-csrf-token'] : undefined) ?? formField(req.body, '_csrf');
    if (!sent || !sameSecret(sent, p.csrf)) {
      deps.onDenied?.('csrf');
      return reply.code(403).type('text/plain').send('CSRF token missing or wrong: reload the page and try again');
    }
  });
}

function authenticate(req: FastifyRequest, deps: AccessDeps): Principal | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (bearer) {
    const name = deps.apiTokens.verify(bearer[1]!);
    return name ? { kind: 'token', name } : undefined;
  }
  const sessionId = req.cookies[SESSION_COOKIE];
  const session: Session | undefined = deps.sessions.lookup(sessionId);
  return session ? { kind: 'session', username: session.username, csrf: session.csrf, sessionId: sessionId! } : undefined;
}

/** API clients get 401; a browser asking for a page is sent to log in. */
function refuse(req: FastifyRequest, reply: FastifyReply) {
  const wantsPage = req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/metrics') && (req.headers.accept ?? '').includes('text/html');
  if (wantsPage) return reply.code(303).header('location', `/login?next=${encodeURIComponent(req.url.slice(0, 500))}`).send();
  const bad = /^Bearer\s/i.test(req.headers.authorization ?? '');
  return reply
    .code(401)
    .header('www-authenticate', bad ? 'Bearer realm="tripline", error="invalid_token"' : 'Bearer realm="tripline"')
    .send({ error: bad ? 'invalid bearer token' : 'authentication required: a dashboard session or an API bearer token' });
}

function formField(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
