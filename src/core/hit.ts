/**
 * A hit: one interaction with a decoy. Nobody legitimate talks to a decoy, so every request,
 * malformed ones included, is one. Every protocol adapter builds this same shape.
 */
import { randomBytes } from 'node:crypto';

/** `refused`: the decoy's connection limit turned the client away before any request. */
export type HitOutcome = 'ok' | 'exception' | 'malformed' | 'ignored' | 'refused';
export type HitProtocol = 'modbus-tcp' | 'modbus-rtu' | 'opcua';
export type WrittenValue = number | boolean | string;

export interface Hit {
  /** Globally unique, time-ordered (UUIDv7): the de-duplication key end to end. */
  id: string;
  /** When the decoy saw it (gateway clock, ISO 8601). */
  at: string;
  decoy: string;
  protocol: HitProtocol;
  /**
   * Where the request came from. A serial line has no address: its hits carry `ip: 'unknown'`,
   * `port: 0` and the line's device path in `serial`.
   */
  src: { ip: string; port: number; serial?: string };
  /** The decoy's listening port (0 for a serial line). */
  dstPort: number;
  unitId: number | null;
  functionCode: number | null;
  address: number | null;
  quantity: number | null;
  /** Values written by the request, raw as on the wire. */
  values: WrittenValue[] | null;
  outcome: HitOutcome;
  exceptionCode: number | null;
  /** Named profile points the request touched. */
  points: string[];
  /** Human-readable why, for malformed and refused requests. */
  detail: string | null;
  /** The request as received, hex, capped at one maximum-size frame. */
  raw: string | null;
  /** The gateway's incident this hit belongs to, set when it is recorded. */
  incident?: string;
  /** The service called, for protocols that name them (OPC UA: `Read`, `ActivateSession`, …). */
  service?: string;
  /** Protocol details worth an analyst's eye: client application, certificate, user name, node ids. */
  attributes?: Record<string, string | number | boolean | null>;
}

/** What a decoy learned from one request; the adapter adds who, when and where. */
export type RequestFacts = Pick<Hit, 'unitId' | 'functionCode' | 'address' | 'quantity' | 'values' | 'outcome' | 'exceptionCode' | 'points' | 'detail'>;

export const MAX_RAW_BYTES = 260;

/** Who sent a request, for people: `ip:port`, or the serial line it came in on. */
export function describeSource(src: Hit['src']): string {
  return src.serial !== undefined ? `serial ${src.serial}` : `${src.ip}:${src.port}`;
}

/** Random bytes drawn in bulk: one crypto call per 256 ids instead of one per request. */
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then random bits. */
export function newHitId(now = Date.now()): string {
  if (poolOffset >= pool.length) {
    pool = randomBytes(16 * POOL_IDS);
    poolOffset = 0;
  }
  const b = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
