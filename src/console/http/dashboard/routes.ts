/**
 * The dashboard: login, incidents, gateways, settings and audit pages, and the forms that act on
 * them. Server-rendered HTML with no script; every form carries the session's CSRF token (checked
 * in access.ts), and every change goes through SocActions, so it lands in the audit log.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { z } from 'zod';
import { actorOf, sameSecret } from '../access.js';
import { SESSION_COOKIE, ABSOLUTE_MS, type SessionStore } from '../../auth/sessions.js';
import type { AdminAccount } from '../../auth/admin.js';
import type { AuditLog } from '../../auth/audit.js';
import type { LoginLimiter } from '../../auth/login-limiter.js';
import type { ApiTokens } from '../../auth/api-tokens.js';
import { ActionError, type SocActions } from '../../soc-actions.js';
import type { ConsoleStore, IncidentRecord, Triage } from '../../store.js';
import type { TokenAlerts } from '../../tokens/token-alerts.js';
import type { WhitelistStore } from '../../whitelist-store.js';
import type { DestinationStatus } from '../../notify/notifier.js';
import { gatewayNames, gatewayView, incidentView } from '../../views.js';
import { isWrite } from '../../../core/incident.js';
import { attributesSeen, tokenHitAttributes } from './format.js';
import { tokensPage } from './pages.js';
import { viewToken, type TokenSettings } from '../../tokens/view.js';
import { isTokenLabel } from '../../tokens/names.js';
import { TokenError } from '../../tokens/token-store.js';
import { auditPage, gatewaysPage, incidentPage, incidentsPage, loginPage, notFoundPage, settingsPage } from './pages.js';

export interface DashboardDeps {
  store: ConsoleStore;
  sessions: SessionStore;
  admin: AdminAccount;
  audit: AuditLog;
  loginLimiter: LoginLimiter;
  apiTokens: ApiTokens;
  actions: SocActions;
  whitelist: WhitelistStore;
  destinations: () => DestinationStatus[];
  tokens?: TokenAlerts;
  tokenSettings?: () => TokenSettings;
  allowCidrs: readonly string[];
  /** Served over TLS: cookies get Secure. */
  tls: boolean;
  /** Shown on the login page while the generated first password is still in the data dir. */
  loginHint?: () => string | undefined;
}

const LOGIN_COOKIE = 'tripline_login';
const TIMELINE_HITS = 5_000;

const DONE: Record<string, string> = {
  acknowledged: 'Incident acknowledged.',
  resolved: 'Incident resolved.',
  new: 'Incident reopened.',
  revoked: 'Gateway revoked: its messages are now rejected.',
  'whitelist-added': 'Added to the whitelist.',
  'whitelist-removed': 'Removed from the whitelist.',
  'token-revoked': 'API token revoked.',
  'token-disabled': 'Canary token disabled: its hits are recorded, no one is notified.',
  'token-enabled': 'Canary token enabled: its hits notify again.',
};

const IdParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const GatewayParam = z.object({ id: z.string().regex(/^gw-[a-z0-9]{8,32}$/) });
const TriageForm = z.object({ to: z.enum(['acknowledged', 'resolved', 'new']), note: z.string().max(4000).optional() });
const TRIAGE_FILTERS = ['open', 'new', 'acknowledged', 'resolved', 'all'] as const;

export async function dashboardRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const actor = (req: FastifyRequest) => ({ name: actorOf(req), srcIp: req.ip });
  const csrf = (req: FastifyRequest) => (req.principal?.kind === 'session' ? req.principal.csrf : '');
  const flash = (req: FastifyRequest) => {
    const done = (req.query as Record<string, unknown>)?.done;
    return typeof done === 'string' && Object.hasOwn(DONE, done) ? { text: DONE[done]! } : undefined;
  };
  const sendPage = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: deps.tls, path: '/' };

  const failAction = (req: FastifyRequest, reply: FastifyReply, err: unknown) => {
    if (!(err instanceof ActionError)) throw err;
    return sendPage(reply, notFoundPage({ csrf: csrf(req) }, err.message), err.status);
  };

  app.get('/login', { config: { access: 'public' } }, async (req, reply) => {
    const next = safeNext((req.query as Record<string, unknown>)?.next);
    if (deps.sessions.lookup(req.cookies[SESSION_COOKIE])) return reply.code(303).header('location', next).send();
    const loginCsrf = randomBytes(24).toString('base64url');
    reply.setCookie(LOGIN_COOKIE, loginCsrf, { ...cookieOptions, path: '/login', maxAge: 900 });
    return sendPage(reply, loginPage({ loginCsrf, next, hint: deps.loginHint?.() }));
  });

  app.post('/login', { config: { access: 'public' } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const field = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const next = safeNext(field('next'));
    const loginCsrf = req.cookies[LOGIN_COOKIE];
    // Login CSRF: the form's token must match the cookie set with the form (double submit).
    if (!loginCsrf || !sameSecret(field('_login'), loginCsrf)) return reply.code(403).type('text/plain').send('login form expired: reload the login page');
    const again = (error: string, status: number) => {
      const fresh = randomBytes(24).toString('base64url');
      reply.setCookie(LOGIN_COOKIE, fresh, { ...cookieOptions, path: '/login', maxAge: 900 });
      return sendPage(reply, loginPage({ loginCsrf: fresh, next, error }), status);
    };
    if (!deps.loginLimiter.attempt(req.ip, Date.now())) {
      reply.header('retry-after', String(deps.loginLimiter.retryAfterSeconds(req.ip, Date.now())));
      return again('Too many login attempts: wait a minute and try again.', 429);
    }
    const username = field('username').slice(0, 64);
    if (!(await deps.admin.verify(username, field('password')))) {
      // The name tried is the visitor's text: kept as detail, never as the actor.
      deps.audit.record({ actor: 'anonymous', action: 'login.failed', detail: `user name tried: ${JSON.stringify(username)}`, srcIp: req.ip });
      return again('Wrong user name or password.', 401);
    }
    const { id } = deps.sessions.create(username, req.ip);
    deps.audit.record({ actor: username, action: 'login', srcIp: req.ip });
    reply.clearCookie(LOGIN_COOKIE, { path: '/login' });
    reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions, maxAge: ABSOLUTE_MS / 1000 });
    return reply.code(303).header('location', next).send();
  });

  app.post('/logout', async (req, reply) => {
    if (req.principal?.kind === 'session') {
      deps.sessions.destroy(req.principal.sessionId);
      deps.audit.record({ actor: req.principal.username, action: 'logout', srcIp: req.ip });
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(303).header('location', '/login').send();
  });

  app.get('/', async (req, reply) => {
    const q = (req.query as Record<string, unknown>)?.triage;
    const filter = (TRIAGE_FILTERS as readonly unknown[]).includes(q) ? (q as (typeof TRIAGE_FILTERS)[number]) : 'open';
    const names = gatewayNames(deps.store);
    const records =
      filter === 'all' ? deps.store.listIncidents(500) : filter === 'open' ? deps.store.listIncidents(500).filter((i) => i.triage !== 'resolved') : deps.store.listIncidents(500, filter);
    return sendPage(reply, incidentsPage({ csrf: csrf(req), flash: flash(req), filter }, records.map((r) => incidentView(r, names))));
  });

  app.get('/incidents/:id', async (req, reply) => {
    const params = IdParam.safeParse(req.params);
    const record = params.success ? deps.store.incident(params.data.id) : undefined;
    if (!record) return sendPage(reply, notFoundPage({ csrf: csrf(req) }, 'No such incident.'), 404);
    if (record.kind === 'token') return sendPage(reply, tokenIncident(req, record));
    const hits = deps.store.incidentHits(record, TIMELINE_HITS);
    const timeline = hits.map((h) => ({ at: h.at, write: isWrite(h) }));
    const history = deps.audit.list(100, `incident:${record.id}`);
    // The incident keeps a write's first values; its hit, once here, has them all.
    const byId = new Map(hits.filter((h) => h.values !== null).map((h) => [h.id, h]));
    const view = incidentView(record, gatewayNames(deps.store));
    view.writes = view.writes.map((w) => {
      const hit = byId.get(w.id);
      return hit ? { ...w, values: hit.values!, valueCount: hit.values!.length, points: w.points?.length ? w.points : hit.points } : w;
    });
    return sendPage(reply, incidentPage({ csrf: csrf(req), flash: flash(req) }, view, timeline, attributesSeen(hits), history));
  });

  /** A canary token's incident: its hits are the token's, from this source, in the incident's span. */
  const tokenIncident = (req: FastifyRequest, record: IncidentRecord) => {
    const hits = (deps.tokens?.tokens.hits({ limit: TIMELINE_HITS, tokenId: record.decoy ?? '' }) ?? [])
      .filter((h) => h.src.ip === record.srcIp && h.at >= record.firstSeen && h.at <= record.lastSeen)
      .reverse();
    return incidentPage(
      { csrf: csrf(req), flash: flash(req) },
      incidentView(record, gatewayNames(deps.store)),
      hits.map((h) => ({ at: h.at, write: false })),
      tokenHitAttributes(hits),
      deps.audit.list(100, `incident:${record.id}`),
    );
  };

  app.post('/incidents/:id/triage', async (req, reply) => {
    const params = IdParam.safeParse(req.params);
    const form = TriageForm.safeParse(req.body);
    if (!params.success || !form.success) return sendPage(reply, notFoundPage({ csrf: csrf(req) }, 'Bad triage request.'), 400);
    try {
      deps.actions.triage(params.data.id, form.data.to as Triage, form.data.note, actor(req));
    } catch (err) {
      return failAction(req, reply, err);
    }
    return reply.code(303).header('location', `/incidents/${params.data.id}?done=${form.data.to}`).send();
  });

  app.get('/gateways', async (req, reply) => sendPage(reply, gatewaysPage({ csrf: csrf(req), flash: flash(req) }, deps.store.listGateways().map(gatewayView))));

  app.post('/gateways/:id/revoke', async (req, reply) => {
    const params = GatewayParam.safeParse(req.params);
    if (!params.success) return sendPage(reply, notFoundPage({ csrf: csrf(req) }, 'No such gateway.'), 404);
    try {
      deps.actions.revokeGateway(params.data.id, actor(req));
    } catch (err) {
      return failAction(req, reply, err);
    }
    return reply.code(303).header('location', '/gateways?done=revoked').send();
  });

  // The new enrollment file is the response: it is shown once and never stored elsewhere.
  app.post('/gateways/:id/rotate', async (req, reply) => {
    const params = GatewayParam.safeParse(req.params);
    if (!params.success) return sendPage(reply, notFoundPage({ csrf: csrf(req) }, 'No such gateway.'), 404);
    try {
      const enrollment = deps.actions.rotateGateway(params.data.id, actor(req));
      return reply
        .header('content-type', 'application/json')
        .header('content-disposition', `attachment; filename="${enrollment.name}.enrollment.json"`)
        .header('cache-control', 'no-store')
        .send(JSON.stringify(enrollment, null, 2) + '\n');
    } catch (err) {
      return failAction(req, reply, err);
    }
  });

  const settings = (req: FastifyRequest, reply: FastifyReply, flashed?: { text: string; error?: boolean }, status = 200) =>
    sendPage(
      reply,
      settingsPage(
        { csrf: csrf(req), flash: flashed ?? flash(req) },
        { whitelist: deps.whitelist.list(), destinations: deps.destinations(), apiTokens: deps.apiTokens.list(), allowCidrs: deps.allowCidrs, tls: deps.tls },
      ),
      status,
    );

  app.get('/settings', async (req, reply) => settings(req, reply));

  /**
   * A settings form: runs the change; an ActionError shows the settings page with the reason.
   * `done` is where to go after (a redirect), or the flash to show at once (a new token's value).
   */
  const settingsAction = (req: FastifyRequest, reply: FastifyReply, change: () => string | { text: string }) => {
    let done: string | { text: string };
    try {
      done = change();
    } catch (err) {
      if (err instanceof ActionError) return settings(req, reply, { text: err.message, error: true }, err.status);
      throw err;
    }
    if (typeof done === 'string') return reply.code(303).header('location', `/settings?done=${done}`).send();
    reply.header('cache-control', 'no-store');
    return settings(req, reply, done);
  };

  app.post('/settings/whitelist', async (req, reply) =>
    settingsAction(req, reply, () => {
      const form = z.object({ cidr: z.string().min(1).max(64), note: z.string().max(200).optional() }).safeParse(req.body);
      if (!form.success) throw new ActionError('Give a network, e.g. 10.20.0.0/16.', 400);
      deps.actions.addToWhitelist(form.data.cidr, form.data.note, actor(req));
      return 'whitelist-added';
    }),
  );

  app.post('/settings/whitelist/remove', async (req, reply) =>
    settingsAction(req, reply, () => {
      const form = z.object({ cidr: z.string().min(1).max(64) }).safeParse(req.body);
      if (!form.success) throw new ActionError('no network given', 400);
      deps.actions.removeFromWhitelist(form.data.cidr, actor(req));
      return 'whitelist-removed';
    }),
  );

  app.post('/settings/api-tokens', async (req, reply) =>
    settingsAction(req, reply, () => {
      const form = z.object({ name: z.string().min(1).max(64) }).safeParse(req.body);
      if (!form.success) throw new ActionError('give the token a name', 400);
      const token = deps.actions.createApiToken(form.data.name, actor(req));
      return { text: `Token "${form.data.name}" created. Copy it now, it is not shown again: ${token}` };
    }),
  );

  app.post('/settings/api-tokens/:id/revoke', async (req, reply) =>
    settingsAction(req, reply, () => {
      const params = IdParam.safeParse(req.params);
      if (!params.success) throw new ActionError('no such token', 404);
      deps.actions.revokeApiToken(params.data.id, actor(req));
      return 'token-revoked';
    }),
  );

  app.get('/tokens', async (req, reply) => {
    const settings = deps.tokenSettings?.() ?? { zone: null, publicUrl: null };
    return sendPage(reply, tokensPage({ csrf: csrf(req), flash: flash(req) }, (deps.tokens?.tokens.list() ?? []).map((t) => viewToken(t, settings))));
  });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`/tokens/:id/${action}`, async (req, reply) => {
      const id = (req.params as { id?: unknown }).id;
      if (!deps.tokens || typeof id !== 'string' || !isTokenLabel(id)) return sendPage(reply, notFoundPage({ csrf: csrf(req) }, 'No such token.'), 404);
      try {
        const token = deps.tokens.tokens.setDisabled(id, disabled);
        deps.audit.record({ actor: actorOf(req), action: disabled ? 'canary-token.disable' : 'canary-token.enable', target: `canary-token:${token.id}`, detail: token.memo, srcIp: req.ip });
      } catch (err) {
        if (err instanceof TokenError) return sendPage(reply, notFoundPage({ csrf: csrf(req) }, err.message), 404);
        throw err;
      }
      return reply.code(303).header('location', `/tokens?done=token-${action}d`).send();
    });
  }

  app.get('/audit', async (req, reply) => sendPage(reply, auditPage({ csrf: csrf(req) }, deps.audit.list(500))));
}

/** Only a path on this console: `//evil.example` and `/\evil` would leave it. */
function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])[\x21-\x7e]{0,500}$/.test(value) || value.startsWith('/login')) return '/';
  return value;
}
