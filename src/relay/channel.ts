/** A way to get hits, incident summaries and heartbeats to the console: DNS or HTTP. */
import type { Hit } from '../core/hit.js';
import type { Heartbeat } from '../core/heartbeat.js';
import type { IncidentReport } from '../core/incident-book.js';

export interface RelayChannel {
  readonly name: string;
  /**
   * Delivers a batch; resolves with the ids the console acknowledged under an authenticated
   * reply. Throws (or rejects) when delivery failed or the reply could not be trusted.
   */
  deliver(hits: readonly Hit[]): Promise<Delivery>;
  /** Delivers incident summaries; resolves with the ids of those the console stored. */
  deliverReports(reports: readonly IncidentReport[]): Promise<string[]>;
  /** Delivers a heartbeat; resolves once the console acknowledged it, throws otherwise. */
  sendHeartbeat(heartbeat: Heartbeat): Promise<void>;
  /** Releases sockets. */
  close?(): void;
}

export interface Delivery {
  /** Stored (or already stored) at the console. */
  acked: string[];
  /** Refused by the console as invalid: retrying cannot help, so they leave the outbox too. */
  rejected: string[];
}

export class DeliveryError extends Error {
  override name = 'DeliveryError';
}
