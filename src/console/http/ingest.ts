/**
 * Gateway ingest: the only write path into the console that needs no API token, so it trusts
 * nothing it has not verified: gateway id, HMAC over the exact body, then every hit's shape.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Batch, HEARTBEAT_PATH, Header, HeartbeatEnvelope, INGEST_PATH, MAX_BATCH_BYTES, REPORT_PATH, ReportEnvelope, decodeSecret, signAck, signBatch, signaturesMatch } from '../../relay/wire.js';
import type { RejectReason } from '../metrics.js';
import { acceptHits, acceptReports, type AcceptDeps } from '../accept-hits.js';
import type { RecordHeartbeat } from '../heartbeats.js';

export type IngestDeps = AcceptDeps & { recordHeartbeat: RecordHeartbeat };

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

export async function ingestRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  // The signature covers the exact bytes sent, so keep them: parse JSON only after verifying.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BATCH_BYTES }, (_req, body, done) => done(null, body));

  const reject = (req: FastifyRequest, reply: FastifyReply, status: number, reason: RejectReason, message: string) => {
    deps.metrics.rejected.inc({ reason });
    deps.log.warn({ reason, src: req.ip, gateway: header(req, Header.gateway)?.slice(0, 64) }, 'ingest rejected');
    return reply.code(status).send({ error: message });
  };

  // Check who is sending before reading a body of up to 1 MiB: strangers get nothing buffered.
  app.addHook('onRequest', async (req, reply) => {
    const gatewayId = header(req, Header.gateway);
    if (!gatewayId || !header(req, Header.timestamp) || !header(req, Header.signature)) {
      return reject(req, reply, 401, 'missing_credentials', 'signed gateway request required');
    }
    const gateway = deps.store.gateway(gatewayId);
    if (!gateway) return reject(req, reply, 401, 'unknown_gateway', 'unknown gateway');
    if (gateway.revokedAt) return reject(req, reply, 403, 'revoked_gateway', 'gateway revoked');
  });

  // Bodies the parser refuses (too large, wrong media type) are rejected ingests too.
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      deps.log.error({ err }, 'ingest failed');
      return reply.code(500).send({ error: 'internal error' });
    }
    return reject(req, reply, status, 'malformed_batch', err.message);
  });

  /** The verified secret and body, or undefined after replying with the rejection. */
  const verify = (req: FastifyRequest, reply: FastifyReply) => {
    const gatewayId = header(req, Header.gateway)!;
    const signature = header(req, Header.signature)!;
    const gateway = deps.store.gateway(gatewayId);
    // Checked again now the body is in: a revocation while it was uploading takes effect too.
    if (gateway?.revokedAt) {
      void reject(req, reply, 403, 'revoked_gateway', 'gateway revoked');
      return undefined;
    }
    if (!gateway || !Buffer.isBuffer(req.body)) {
      void reject(req, reply, 400, 'malformed_batch', 'JSON body required');
      return undefined;
    }
    const secret = decodeSecret(gateway.secret);
    if (!signaturesMatch(signBatch(secret, gatewayId, header(req, Header.timestamp)!, req.body), signature)) {
      void reject(req, reply, 401, 'bad_signature', 'signature does not match');
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(req.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    return { gatewayId, secret, signature, json };
  };

  /** Replies with a body signed for the request it answers. */
  const signed = (reply: FastifyReply, secret: Buffer, requestSignature: string, value: unknown) => {
    const body = JSON.stringify(value);
    return reply.header('content-type', 'application/json').header(Header.signature, signAck(secret, requestSignature, body)).send(body);
  };

  app.post(INGEST_PATH, { config: { access: 'gateway' } }, async (req, reply) => {
    const ok = verify(req, reply);
    if (!ok) return reply;
    const batch = Batch.safeParse(ok.json);
    if (!batch.success) return reject(req, reply, 400, 'malformed_batch', 'batch is not {"hits":[...]}');
    const { acked, rejected } = acceptHits(deps, ok.gatewayId, batch.data.hits, 'http');
    return signed(reply, ok.secret, ok.signature, { acked, rejected });
  });

  app.post(REPORT_PATH, { config: { access: 'gateway' } }, async (req, reply) => {
    const ok = verify(req, reply);
    if (!ok) return reply;
    const envelope = ReportEnvelope.safeParse(ok.json);
    if (!envelope.success) return reject(req, reply, 400, 'malformed_batch', 'body is not {"incidents":[...]}');
    const acked = acceptReports(deps, ok.gatewayId, envelope.data.incidents, 'http');
    return signed(reply, ok.secret, ok.signature, { acked });
  });

  app.post(HEARTBEAT_PATH, { config: { access: 'gateway' } }, async (req, reply) => {
    const ok = verify(req, reply);
    if (!ok) return reply;
    const envelope = HeartbeatEnvelope.safeParse(ok.json);
    if (!envelope.success) return reject(req, reply, 400, 'malformed_batch', 'body is not {"heartbeat":{...}}');
    if (deps.recordHeartbeat(ok.gatewayId, envelope.data.heartbeat, 'http') === 'stale') {
      return reject(req, reply, 409, 'stale_heartbeat', 'heartbeat older than the last one recorded (replayed, or the gateway clock stepped back)');
    }
    return signed(reply, ok.secret, ok.signature, { ok: true });
  });
}
