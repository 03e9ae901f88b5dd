/**
 * Webhooks: one POST per event, accepted on any 2xx. The body is the event as JSON (receivers
 * de-duplicate by `id`), or a Slack, Teams or Discord payload. Errors name the display name, never
 * the URL: webhook URLs carry their token.
 */
import { DeliveryError, isCertificateError, type Destination } from './notifier.js';
import type { IncidentEvent } from './event.js';
import type { EventFilter } from './filter.js';
import type { ChatKind } from './spec.js';
import { slackPayload } from './slack.js';
import { teamsPayload } from './teams.js';
import { discordPayload } from './discord.js';

export const PAYLOADS: Record<ChatKind, (event: IncidentEvent) => unknown> = {
  webhook: (event) => event,
  slack: slackPayload,
  teams: teamsPayload,
  discord: discordPayload,
};

export interface WebhookOptions {
  url: string;
  kind?: ChatKind;
  /** Queue key (default `webhook:URL`). */
  key?: string;
  display?: string;
  filter?: EventFilter | null;
  timeoutMs?: number;
}

export class WebhookDestination implements Destination {
  readonly name: string;
  readonly display: string;
  readonly filter: EventFilter | null;
  private readonly url: string;
  private readonly payload: (event: IncidentEvent) => unknown;
  private readonly timeoutMs: number;

  constructor(options: WebhookOptions) {
    this.url = options.url;
    this.name = options.key ?? `webhook:${options.url}`;
    this.display = options.display ?? `${options.kind ?? 'webhook'}:${new URL(options.url).origin}/…`;
    this.filter = options.filter ?? null;
    this.payload = PAYLOADS[options.kind ?? 'webhook'];
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(event: IncidentEvent): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tripline-event': event.id },
        body: JSON.stringify(this.payload(event)),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      throw new DeliveryError(`POST ${this.display}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, isCertificateError(cause));
    }
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return;
    // 4xx (but timeout and rate limit) means the URL or its token is wrong: the operator must act.
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
    throw new DeliveryError(`POST ${this.display}: HTTP ${response.status}`, permanent);
  }
}
