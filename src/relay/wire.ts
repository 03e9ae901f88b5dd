/**
 * What crosses from gateway to console, and how both ends prove who sent it. Pure: no I/O.
 *
 * A batch is signed with HMAC-SHA256 under the gateway's enrollment secret; the console's
 * acknowledgement is signed too and bound to the request's signature, so a middlebox cannot
 * forge an ack and make the gateway drop hits it never delivered.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const INGEST_PATH = '/api/v1/ingest';
export const HEARTBEAT_PATH = '/api/v1/heartbeat';
export const REPORT_PATH = '/api/v1/report';
export const Header = {
  gateway: 'x-tripline-gateway',
  timestamp: 'x-tripline-timestamp',
  signature: 'x-tripline-signature',
} as const;

/** Largest batch body either side accepts. */
export const MAX_BATCH_BYTES = 1024 * 1024;
export const MAX_BATCH_HITS = 500;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (secret: Buffer, text: string) => createHmac('sha256', secret).update(text).digest('hex');

export function decodeSecret(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

export function signBatch(secret: Buffer, gatewayId: string, timestamp: string, body: string | Buffer): string {
  return 'v1=' + hmac(secret, `tripline-batch-v1\n${gatewayId}\n${timestamp}\n${sha256(body)}`);
}

export function signAck(secret: Buffer, requestSignature: string, body: string | Buffer): string {
  return 'v1=' + hmac(secret, `tripline-ack-v1\n${requestSignature}\n${sha256(body)}`);
}

/** Constant-time comparison of two signatures. */
export function signaturesMatch(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const WrittenValue = z.union([z.number().finite(), z.boolean(), z.string().max(256)]);
const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const Time = z.string().datetime({ offset: true });

/** A hit as the console accepts it: an authenticated gateway is still not trusted to be sane. */
export const WireHit = z
  .object({
    id: Uuid,
    at: Time,
    decoy: z.string().max(64),
    protocol: z.enum(['modbus-tcp', 'modbus-rtu', 'opcua']),
    src: z.object({ ip: z.string().max(64), port: z.number().int().min(0).max(65535), serial: z.string().regex(/^[\x21-\x7e]{1,128}$/).optional() }),
    dstPort: z.number().int().min(0).max(65535),
    unitId: z.number().int().min(0).max(255).nullable(),
    functionCode: z.number().int().min(0).max(255).nullable(),
    address: z.number().int().min(0).max(65535).nullable(),
    quantity: z.number().int().min(0).max(65535).nullable(),
    values: z.array(WrittenValue).max(2000).nullable(),
    outcome: z.enum(['ok', 'exception', 'malformed', 'ignored', 'refused']),
    exceptionCode: z.number().int().min(0).max(255).nullable(),
    points: z.array(z.string().max(64)).max(64),
    detail: z.string().max(500).nullable(),
    raw: z.string().regex(/^[0-9a-f]*$/).max(1024).nullable(),
    incident: Uuid.optional(),
    service: z.string().max(64).optional(),
    attributes: z
      .record(z.string().max(64), z.union([z.string().max(512), z.number().finite(), z.boolean(), z.null()]))
      .refine((a) => Object.keys(a).length <= 32, 'at most 32 attributes')
      .optional(),
  })
  .strict();

const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const CountMap = z.record(z.string().regex(/^[A-Za-z0-9]{1,48}$/), Count).refine((m) => Object.keys(m).length <= 64, 'at most 64 keys');
/** A gateway clock may drift, not run a day ahead of the console's. */
const ReportTime = Time.refine((t) => Date.parse(t) <= Date.now() + 86_400_000, 'more than a day in the future')
  .transform((t) => new Date(t).toISOString());
const IpOrUnknown = z.union([z.ipv4(), z.ipv6(), z.literal('unknown')]);

/** A gateway's summary of one incident; cumulative, so the newest version supersedes the rest. */
export const WireIncidentReport = z
  .object({
    id: Uuid,
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    decoy: z.string().max(64),
    srcIp: IpOrUnknown,
    firstSeen: ReportTime,
    lastSeen: ReportTime,
    hitCount: Count,
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    counts: CountMap,
    outcomes: CountMap,
    ranges: z.partialRecord(z.enum(['coils', 'discreteInputs', 'holdingRegisters', 'inputRegisters']), z.array(z.tuple([z.number().int().min(0).max(65535), z.number().int().min(0).max(65535)])).max(64)),
    writes: z
      .array(
        z.object({
          id: Uuid,
          at: ReportTime,
          functionCode: z.number().int().min(0).max(255),
          address: z.number().int().min(0).max(65535).nullable(),
          values: z.array(z.union([z.number().finite(), z.boolean(), z.string().max(64)])).max(8),
          valueCount: z.number().int().min(0).max(100_000).optional(),
          outcome: z.string().max(16),
          service: z.string().max(64).optional(),
          points: z.array(z.string().max(64)).max(8).optional(),
        }).strict(),
      )
      .max(64),
    writesOmitted: Count,
    writeCount: Count,
    points: z.array(z.string().max(64)).max(200),
    users: z.array(z.string().max(64)).max(20).optional(),
  })
  .strict();

export const MAX_REPORTS = 50;
export const ReportEnvelope = z.object({ incidents: z.array(z.unknown()).min(1).max(MAX_REPORTS) }).strict();
export const ReportAck = z.object({ acked: z.array(z.string().max(64)).max(MAX_REPORTS) }).strict();

/** The envelope is checked whole; each hit on its own, so one bad hit cannot block a batch. */
export const Batch = z.object({ hits: z.array(z.unknown()).min(1).max(MAX_BATCH_HITS) }).strict();
export const Ack = z
  .object({ acked: z.array(z.string().max(64)).max(MAX_BATCH_HITS), rejected: z.array(z.string().max(64)).max(MAX_BATCH_HITS) })
  .strict();

export type Ack = z.infer<typeof Ack>;

const ChannelState = z.object({
  lastSuccessAt: z.string().max(40).nullable(),
  lastFailureAt: z.string().max(40).nullable(),
  lastError: z.string().max(500).nullable(),
}).strict();

export const WireHeartbeat = z
  .object({
    gatewayTime: z.string().datetime({ offset: true }),
    intervalSeconds: z.number().int().min(1).max(86_400),
    outboxDepth: z.number().int().min(0),
    oldestPendingAt: z.string().datetime({ offset: true }).nullable(),
    channels: z.record(z.string().max(16), ChannelState).refine((c) => Object.keys(c).length <= 8, 'at most 8 channels'),
    folded: z.number().int().min(0),
    folds: z
      .array(
        z.object({
          srcIp: z.string().max(64),
          decoy: z.string().max(64),
          functionCode: z.number().int().min(0).max(255).nullable(),
          outcome: z.string().max(16),
          count: z.number().int().min(1),
          lastAt: z.string().max(40),
        }).strict(),
      )
      .max(10),
    version: z.string().max(32),
  })
  .strict();

export const HeartbeatEnvelope = z.object({ heartbeat: WireHeartbeat }).strict();

/**
 * `tripline doctor`'s test message: the console acknowledges it like any other message and
 * keeps nothing. `pad` makes a message long enough to fill the longest names the channel uses.
 * A console without this kind does not acknowledge it (the doctor says so).
 */
export const MAX_PROBE_PAD = 2048;
export const ProbeEnvelope = z
  .object({ probe: z.object({ at: z.string().datetime({ offset: true }), pad: z.string().max(MAX_PROBE_PAD) }).strict() })
  .strict();
