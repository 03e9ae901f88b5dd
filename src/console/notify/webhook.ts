/** A JSON webhook: one POST per event, accepted on any 2xx. Receivers de-duplicate by `id`. */
import type { Destination } from './notifier.js';
import type { IncidentEvent } from './event.js';

export class WebhookDestination implements Destination {
  readonly name: string;

  constructor(private readonly url: string, private readonly timeoutMs = 10_000) {
    this.name = `webhook:${url}`;
  }

  async send(event: IncidentEvent): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tripline-event': event.id },
        body: JSON.stringify(event),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: unknown }).cause;
      throw new Error(`POST ${this.url}: ${cause ? String(cause) : (err as Error).message}`);
    }
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status >= 300) throw new Error(`POST ${this.url}: HTTP ${response.status}`);
  }
}
