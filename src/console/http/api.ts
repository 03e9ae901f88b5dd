/** The authenticated read API and Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnknownHitError, type ConsoleStore } from '../store.js';
import type { ConsoleMetrics } from '../metrics.js';
import { bearerGuard } from './auth.js';

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

export async function apiRoutes(app: FastifyInstance, deps: { store: ConsoleStore; metrics: ConsoleMetrics; apiToken: string }): Promise<void> {
  app.addHook('onRequest', bearerGuard(deps.apiToken));

  app.get('/api/v1/hits', async (req, reply) => {
    const query = HitsQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: query.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ') });
    try {
      return { hits: deps.store.listHits(query.data) };
    } catch (err) {
      if (err instanceof UnknownHitError) return reply.code(404).send({ error: err.message });
      throw err;
    }
  });

  app.get('/api/v1/gateways', async () => ({
    gateways: deps.store.listGateways().map(({ secret: _secret, heartbeat, ...g }) => ({
      ...g,
      status: g.revokedAt ? 'revoked' : g.silentSince ? 'silent' : g.heartbeatAt ? 'ok' : 'never-heard',
      heartbeat,
    })),
  }));

  app.get('/api/v1/incidents', async (req, reply) => {
    const query = z.object({ limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100) }).strict().safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: query.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ') });
    return {
      incidents: deps.store.listIncidents(query.data.limit).map(({ srcIp, detail, report: _report, fromHits, reportVersion, ...incident }) => {
        const { counts, writes, ...rest } = detail as { counts?: object; writes?: unknown[] };
        // hitsReceived < hitCount: the gateway's summary counts hits whose detail is still on its way.
        return { ...incident, src: srcIp ? { ip: srcIp } : null, counts: counts ?? {}, writes: writes ?? [], hitsReceived: fromHits?.hitCount ?? incident.hitCount, reportVersion, detail: rest };
      }),
    };
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
