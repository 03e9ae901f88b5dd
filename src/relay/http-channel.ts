/** HTTP(S) relay channel: one signed POST per batch, acknowledged by a signed reply. */
import type { Hit } from '../core/hit.js';
import { DeliveryError, type Delivery, type RelayChannel } from './channel.js';
import { Ack, HEARTBEAT_PATH, Header, INGEST_PATH, MAX_BATCH_BYTES, REPORT_PATH, ReportAck, signAck, signBatch, signaturesMatch } from './wire.js';
import type { Heartbeat } from '../core/heartbeat.js';
import type { IncidentReport } from '../core/incident-book.js';

export interface HttpChannelOptions {
  consoleUrl: string;
  gatewayId: string;
  secret: Buffer;
  timeoutMs?: number;
}

export class HttpChannel implements RelayChannel {
  readonly name = 'http';
  private readonly ingestUrl: string;
  private readonly heartbeatUrl: string;
  private readonly reportUrl: string;

  constructor(private readonly options: HttpChannelOptions) {
    this.ingestUrl = new URL(INGEST_PATH, options.consoleUrl).toString();
    this.heartbeatUrl = new URL(HEARTBEAT_PATH, options.consoleUrl).toString();
    this.reportUrl = new URL(REPORT_PATH, options.consoleUrl).toString();
  }

  async deliver(hits: readonly Hit[]): Promise<Delivery> {
    const ack = Ack.safeParse(safeJson(await this.post(this.ingestUrl, JSON.stringify({ hits }))));
    if (!ack.success) throw new DeliveryError(`POST ${this.ingestUrl}: acknowledgement malformed`);
    return { acked: ack.data.acked, rejected: ack.data.rejected };
  }

  async deliverReports(reports: readonly IncidentReport[]): Promise<string[]> {
    const ack = ReportAck.safeParse(safeJson(await this.post(this.reportUrl, JSON.stringify({ incidents: reports }))));
    if (!ack.success) throw new DeliveryError(`POST ${this.reportUrl}: acknowledgement malformed`);
    return ack.data.acked;
  }

  async sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
    await this.post(this.heartbeatUrl, JSON.stringify({ heartbeat }));
  }

  /** One signed POST; returns the reply body once its signature proves the console sent it. */
  private async post(url: string, body: string): Promise<string> {
    const timestamp = String(Date.now());
    const signature = signBatch(this.options.secret, this.options.gatewayId, timestamp, body);
    let response: Response;
    try {
      response = await fetch(url, {
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
      throw new DeliveryError(`POST ${url}: ${(err as Error).cause ? String((err as Error & { cause: unknown }).cause) : (err as Error).message}`);
    }
    const text = await readCapped(response, MAX_BATCH_BYTES);
    if (response.status !== 200) {
      throw new DeliveryError(`POST ${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
    }
    if (!signaturesMatch(signAck(this.options.secret, signature, text), response.headers.get(Header.signature) ?? undefined)) {
      throw new DeliveryError(`POST ${url}: acknowledgement signature invalid; not trusting it`);
    }
    return text;
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
