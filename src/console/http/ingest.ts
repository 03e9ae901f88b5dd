/**
 * Gateway ingest: the only write path into the console that needs no API token, so it trusts
 * nothing it has not verified: gateway id, HMAC over the exact body, then every hit's shape.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Batch, Header, INGEST_PATH, MAX_BATCH_BYTES, WireHit, decodeSecret, signAck, signBatch, signaturesMatch } from '../../relay/wire.js';
import type { Hit } from '../../core/hit.js';
import type { ConsoleStore } from '../store.js';
import type { ConsoleMetrics, RejectReason } from '../metrics.js';

export interface IngestDeps {
  store: ConsoleStore;
  metrics: ConsoleMetrics;
  log: Logger;
  onNewHits: (hits: Hit[], gatewayId: string) => void;
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

export async function ingestRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  // The signature covers the exact bytes sent, so keep them: parse JSON only after verifying.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BATCH_BYTES }, (_req, body, done) => done(null, body));

  app.post(INGEST_PATH, async (req, reply) => {
    const reject = (status: number, reason: RejectReason, message: string) => {
      deps.metrics.rejected.inc({ reason });
      deps.log.warn({ reason, src: req.ip, gateway: header(req, Header.gateway)?.slice(0, 64) }, 'ingest rejected');
      return reply.code(status).send({ error: message });
    };
    const gatewayId = header(req, Header.gateway);
    const timestamp = header(req, Header.timestamp);
    const signature = header(req, Header.signature);
    const body = req.body;
    if (!gatewayId || !timestamp || !signature || !Buffer.isBuffer(body)) {
      return reject(401, 'missing_credentials', 'signed gateway request required');
    }
    const gateway = deps.store.gateway(gatewayId);
    if (!gateway) return reject(401, 'unknown_gateway', 'unknown gateway');
    if (gateway.revokedAt) return reject(403, 'revoked_gateway', 'gateway revoked');
    const secret = decodeSecret(gateway.secret);
    if (!signaturesMatch(signBatch(secret, gatewayId, timestamp, body), signature)) {
      return reject(401, 'bad_signature', 'signature does not match');
    }

    let batch;
    try {
      batch = Batch.parse(JSON.parse(body.toString('utf8')));
    } catch {
      return reject(400, 'malformed_batch', 'batch is not {"hits":[...]}');
    }
    const valid: Hit[] = [];
    const rejected: string[] = [];
    for (const item of batch.hits) {
      const parsed = WireHit.safeParse(item);
      if (parsed.success) {
        valid.push(parsed.data as Hit);
      } else {
        deps.metrics.rejected.inc({ reason: 'invalid_hit' });
        const id = (item as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && id.length <= 64) rejected.push(id);
        deps.log.error({ gateway: gatewayId, issue: parsed.error.issues[0]?.message, path: parsed.error.issues[0]?.path }, 'invalid hit from authenticated gateway');
      }
    }

    const { inserted, duplicates } = deps.store.insertHits(gatewayId, valid, 'http');
    const fresh = valid.filter((h) => inserted.includes(h.id));
    for (const hit of fresh) deps.metrics.hits.inc({ protocol: hit.protocol, outcome: hit.outcome, via: 'http' });
    deps.metrics.duplicates.inc(duplicates.length);
    if (fresh.length > 0) deps.onNewHits(fresh, gatewayId);

    const ackBody = JSON.stringify({ acked: [...inserted, ...duplicates], rejected });
    return reply
      .header('content-type', 'application/json')
      .header(Header.signature, signAck(secret, signature, ackBody))
      .send(ackBody);
  });
}
