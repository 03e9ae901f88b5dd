/** The JSON API (bearer token or dashboard session) and Prometheus metrics. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TRIAGE_STATES, UnknownHitError, type ConsoleStore } from '../store.js';
import type { ConsoleMetrics } from '../metrics.js';
import type { AuditLog } from '../auth/audit.js';
import type { ApiTokens } from '../auth/api-tokens.js';
import type { WhitelistStore } from '../whitelist-store.js';
import type { DestinationStatus } from '../notify/notifier.js';
import { ActionError, type SocActions } from '../soc-actions.js';
import { gatewayNames, gatewayView, incidentView } from '../views.js';
import { actorOf } from './access.js';
import { techniquesOfHit } from '../../core/attack.js';

export const MAX_PAGE = 10_000;

const hitId = z.string().regex(/^[0-9a-f-]{36}$/, 'a hit id');
const HitsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
    since: hitId.optional(),
    before: hitId.optional(),
  })
  .strict()
  .refine((q) => !(q.since && q.before), 'use since or before, not both');
const IdParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const GatewayParam = z.object({ id: z.string().regex(/^gw-[a-z0-9]{8,32}$/) });
const NoteBody = z.object({ note: z.string().max(4000).optional() }).strict().optional();

export interface ApiDeps {
  store: ConsoleStore;
  metrics: ConsoleMetrics;
  audit: AuditLog;
  apiTokens: ApiTokens;
  whitelist: WhitelistStore;
  actions: SocActions;
  destinations: () => DestinationStatus[];
}

const problems = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');

export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const actor = (req: FastifyRequest) => ({ name: actorOf(req), srcIp: req.ip });
  /** Runs a change; an ActionError becomes its status with the reason. */
  const act = async (reply: FastifyReply, fn: () => unknown) => {
    try {
      return (await fn()) ?? { ok: true };
    } catch (err) {
      if (err instanceof ActionError) return reply.code(err.status).send({ error: err.message });
      throw err;
    }
  };

  app.get('/api/v1/hits', async (req, reply) => {
    const query = HitsQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: problems(query.error) });
    try {
      return { hits: deps.store.listHits(query.data).map((hit) => ({ ...hit, techniques: techniquesOfHit(hit).map((t) => t.id) })) };
    } catch (err) {
      if (err instanceof UnknownHitError) return reply.code(404).send({ error: err.message });
      throw err;
    }
  });

  app.get('/api/v1/gateways', async () => ({ gateways: deps.store.listGateways().map(gatewayView) }));

  app.post('/api/v1/gateways/:id/revoke', async (req, reply) => {
    const params = GatewayParam.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: 'no such gateway' });
    return act(reply, () => deps.actions.revokeGateway(params.data.id, actor(req)));
  });

  app.post('/api/v1/gateways/:id/rotate', async (req, reply) => {
    const params = GatewayParam.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: 'no such gateway' });
    reply.header('cache-control', 'no-store');
    return act(reply, () => ({ enrollment: deps.actions.rotateGateway(params.data.id, actor(req)) }));
  });

  app.get('/api/v1/incidents', async (req, reply) => {
    const query = z
      .object({ limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100), triage: z.enum(TRIAGE_STATES).optional() })
      .strict()
      .safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: problems(query.error) });
    const names = gatewayNames(deps.store);
    return { incidents: deps.store.listIncidents(query.data.limit, query.data.triage).map((i) => incidentView(i, names)) };
  });

  app.get('/api/v1/incidents/:id', async (req, reply) => {
    const params = IdParam.safeParse(req.params);
    const record = params.success ? deps.store.incident(params.data.id) : undefined;
    if (!record) return reply.code(404).send({ error: 'no such incident' });
    return { incident: incidentView(record, gatewayNames(deps.store)), history: deps.audit.list(100, `incident:${record.id}`) };
  });

  for (const [verb, to] of [['acknowledge', 'acknowledged'], ['resolve', 'resolved'], ['reopen', 'new']] as const) {
    app.post(`/api/v1/incidents/:id/${verb}`, async (req, reply) => {
      const params = IdParam.safeParse(req.params);
      const body = NoteBody.safeParse(req.body ?? undefined);
      if (!params.success) return reply.code(404).send({ error: 'no such incident' });
      if (!body.success) return reply.code(400).send({ error: problems(body.error) });
      return act(reply, () => deps.actions.triage(params.data.id, to, body.data?.note, actor(req)));
    });
  }

  app.get('/api/v1/whitelist', async () => ({ whitelist: deps.whitelist.list() }));
  app.post('/api/v1/whitelist', async (req, reply) => {
    const body = z.object({ cidr: z.string().min(1).max(64), note: z.string().max(200).optional() }).strict().safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: problems(body.error) });
    return act(reply, () => ({ cidr: deps.actions.addToWhitelist(body.data.cidr, body.data.note, actor(req)) }));
  });
  app.delete('/api/v1/whitelist', async (req, reply) => {
    const query = z.object({ cidr: z.string().min(1).max(64) }).strict().safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: problems(query.error) });
    return act(reply, () => deps.actions.removeFromWhitelist(query.data.cidr, actor(req)));
  });

  app.get('/api/v1/api-tokens', async () => ({ tokens: deps.apiTokens.list() }));
  app.post('/api/v1/api-tokens', async (req, reply) => {
    const body = z.object({ name: z.string().min(1).max(64) }).strict().safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: problems(body.error) });
    reply.header('cache-control', 'no-store');
    return act(reply, () => ({ name: body.data.name, token: deps.actions.createApiToken(body.data.name, actor(req)) }));
  });
  app.post('/api/v1/api-tokens/:id/revoke', async (req, reply) => {
    const params = IdParam.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: 'no such token' });
    return act(reply, () => deps.actions.revokeApiToken(params.data.id, actor(req)));
  });

  app.get('/api/v1/audit', async (req, reply) => {
    const query = z.object({ limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100) }).strict().safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: problems(query.error) });
    return { audit: deps.audit.list(query.data.limit) };
  });

  app.get('/api/v1/notifications', async () => ({ destinations: deps.destinations() }));

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
