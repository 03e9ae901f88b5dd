/** HTTP(S) relay channel: one signed POST per batch, acknowledged by a signed reply. */
import type { Hit } from '../core/hit.js';
import { DeliveryError, type Delivery, type RelayChannel } from './channel.js';
import { Ack, Header, INGEST_PATH, MAX_BATCH_BYTES, signAck, signBatch, signaturesMatch } from './wire.js';

export interface HttpChannelOptions {
  consoleUrl: string;
  gatewayId: string;
  secret: Buffer;
  timeoutMs?: number;
}

export class HttpChannel implements RelayChannel {
  readonly name = 'http';
  private readonly url: string;

  constructor(private readonly options: HttpChannelOptions) {
    this.url = new URL(INGEST_PATH, options.consoleUrl).toString();
  }

  async deliver(hits: readonly Hit[]): Promise<Delivery> {
    const body = JSON.stringify({ hits });
    const timestamp = String(Date.now());
    const signature = signBatch(this.options.secret, this.options.gatewayId, timestamp, body);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [Header.gateway]: this.options.gatewayId,
          [Header.timestamp]: timestamp,
          [Header.signature]: signature,
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new DeliveryError(`POST ${this.url}: ${(err as Error).cause ? String((err as Error & { cause: unknown }).cause) : (err as Error).message}`);
    }
    const text = await readCapped(response, MAX_BATCH_BYTES);
    if (response.status !== 200) {
      throw new DeliveryError(`POST ${this.url}: HTTP ${response.status} ${text.slice(0, 200)}`);
    }
    if (!signaturesMatch(signAck(this.options.secret, signature, text), response.headers.get(Header.signature) ?? undefined)) {
      throw new DeliveryError(`POST ${this.url}: acknowledgement signature invalid; not trusting it`);
    }
    const ack = Ack.safeParse(safeJson(text));
    if (!ack.success) throw new DeliveryError(`POST ${this.url}: acknowledgement malformed`);
    return { acked: ack.data.acked, rejected: ack.data.rejected };
  }
}

async function readCapped(response: Response, limit: number): Promise<string> {
  const buf = Buffer.from(await response.arrayBuffer());
  if (buf.length > limit) throw new DeliveryError(`reply of ${buf.length} bytes exceeds ${limit}`);
  return buf.toString('utf8');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
