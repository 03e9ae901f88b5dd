/** Token management for the SOC's tools: list, create, disable, enable, rotate, delete, hits. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MAX_PAGE } from './api.js';
import type { TokenAlerts } from '../tokens/token-alerts.js';
import { TokenError, MAX_MEMO_CHARS } from '../tokens/token-store.js';
import { viewToken, type TokenSettings } from '../tokens/view.js';
import { isTokenLabel } from '../tokens/names.js';
import type { AuditAction, AuditLog } from '../auth/audit.js';
import { actorOf } from './access.js';

export interface TokenApiDeps {
  tokens?: TokenAlerts;
  tokenSettings?: () => TokenSettings;
  /** Every change to a canary is audited: a leaked API token must not silence one unseen. */
  audit?: AuditLog;
}

export const DEFAULT_GRACE_DAYS = 7;

const Create = z.object({ kind: z.enum(['dns', 'url']), memo: z.string().min(1).max(MAX_MEMO_CHARS) }).strict();
const Rotate = z.object({ graceDays: z.number().min(0).max(365).default(DEFAULT_GRACE_DAYS) }).strict();
const HitsQuery = z.object({ limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100), token: z.string().refine(isTokenLabel, 'a token id').optional() }).strict();

const issues = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

export async function tokenApiRoutes(app: FastifyInstance, deps: TokenApiDeps): Promise<void> {
  const tokens = deps.tokens;
  if (!tokens) return;
  const settings = deps.tokenSettings ?? (() => ({ zone: null, publicUrl: null }));
  // Authenticated like every other API route, by the access control in front of the app.

  const failed = (reply: FastifyReply, err: unknown) => {
    if (err instanceof TokenError) return reply.code(404).send({ error: err.message });
    throw err;
  };

  const audited = (req: FastifyRequest, action: AuditAction, id: string, detail?: string) =>
    deps.audit?.record({ actor: actorOf(req), action, target: `canary-token:${id}`, detail: detail ?? null, srcIp: req.ip });

  app.get('/api/v1/tokens', async () => ({ tokens: tokens.tokens.list().map((t) => viewToken(t, settings())) }));

  app.post('/api/v1/tokens', async (req, reply) => {
    const body = Create.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: issues(body.error) });
    try {
      const created = tokens.tokens.create(body.data.kind, body.data.memo);
      audited(req, 'canary-token.create', created.id, body.data.memo);
      return reply.code(201).send(viewToken(created, settings()));
    } catch (err) {
      if (err instanceof TokenError) return reply.code(400).send({ error: err.message });
      throw err;
    }
  });

  app.get('/api/v1/tokens/hits', async (req, reply) => {
    const query = HitsQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: issues(query.error) });
    return { hits: tokens.tokens.hits({ limit: query.data.limit, tokenId: query.data.token }) };
  });

  type ById = { Params: { id: string } };
  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post<ById>(`/api/v1/tokens/:id/${action}`, async (req, reply) => {
      try {
        const token = tokens.tokens.setDisabled(req.params.id, disabled);
        audited(req, disabled ? 'canary-token.disable' : 'canary-token.enable', token.id, token.memo);
        return viewToken(token, settings());
      } catch (err) {
        return failed(reply, err);
      }
    });
  }

  app.post<ById>('/api/v1/tokens/:id/rotate', async (req, reply) => {
    const body = Rotate.safeParse(req.body ?? {});
    if (!body.success) return reply.code(400).send({ error: issues(body.error) });
    try {
      const { old, replacement } = tokens.tokens.rotate(req.params.id, body.data.graceDays);
      audited(req, 'canary-token.rotate', old.id, `to ${replacement.id}, old name alerts ${body.data.graceDays} more day(s)`);
      return { old: viewToken(old, settings()), token: viewToken(replacement, settings()) };
    } catch (err) {
      if (err instanceof TokenError && /rotated already/.test(err.message)) return reply.code(409).send({ error: err.message });
      return failed(reply, err);
    }
  });

  app.delete<ById>('/api/v1/tokens/:id', async (req, reply) => {
    try {
      const token = tokens.tokens.get(req.params.id);
      tokens.tokens.delete(req.params.id);
      audited(req, 'canary-token.delete', token?.id ?? req.params.id, token?.memo);
      return reply.code(204).send();
    } catch (err) {
      return failed(reply, err);
    }
  });
}
