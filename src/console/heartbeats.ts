/**
 * Gateway liveness: heartbeats are recorded with both clocks; a gateway that misses a number of
 * the intervals it announced is marked silent and raises a "gateway silent" incident, cleared
 * when it is heard again. Both changes are told to the SOC (gateway.silent, gateway.recovered),
 * queued in the same transaction as the incident.
 */
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { Heartbeat } from '../core/heartbeat.js';
import type { ConsoleStore } from './store.js';
import { gatewayEvent, type IncidentEvent } from './notify/event.js';

/**
 * `duplicate`: the heartbeat already recorded (a retry after a lost acknowledgement): acknowledged,
 * not recorded again. `stale`: older than the one recorded: refused, as a captured heartbeat
 * replayed to keep a dead gateway looking alive would be.
 */
export type HeartbeatOutcome = 'recorded' | 'duplicate' | 'stale';
export type RecordHeartbeat = (gatewayId: string, heartbeat: Heartbeat, via: string) => HeartbeatOutcome;

export interface WatchOptions {
  /** Announced intervals a gateway may miss before it counts as silent. */
  missedIntervals: number;
  /** How often silence is checked. */
  checkEveryMs?: number;
  /** Told of gateways going silent, recovering and being revoked (inside the transaction that recorded it). */
  onEvent?: (event: IncidentEvent) => void;
}

export class GatewayWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: ConsoleStore, private readonly log: Logger, private readonly options: WatchOptions, private readonly now = Date.now) {}

  readonly recordHeartbeat: RecordHeartbeat = (gatewayId, heartbeat, via) => {
    const at = new Date(this.now()).toISOString();
    return this.store.transaction((): HeartbeatOutcome => {
      // Heartbeats carry the gateway's clock, signed: each must be newer than the last one
      // recorded. A gateway whose clock steps back is silent until it catches up (doctor shows it).
      const gateway = this.store.gateway(gatewayId);
      const previous = gateway?.heartbeat?.gatewayTime;
      const sent = Date.parse(heartbeat.gatewayTime);
      if (previous !== undefined) {
        const last = Date.parse(previous);
        if (sent === last) return 'duplicate';
        if (!(sent > last)) return 'stale';
      }
      this.store.recordHeartbeat(gatewayId, heartbeat, via, at);
      if (!gateway?.silentSince) return 'recorded';
      this.store.setSilent(gatewayId, null);
      const incident = this.store.openIncidentFor('gateway-silent', gatewayId, null);
      if (incident) this.store.clearIncident(incident.id, at);
      this.options.onEvent?.(gatewayEvent(randomUUID(), 'gateway.recovered', gateway, incident?.id ?? 0, gateway.silentSince, at));
      this.log.info({ gateway: gateway.name, silentSince: gateway.silentSince }, 'gateway heard again');
      return 'recorded';
    });
  };

  /** For whatever revokes a gateway: tells the SOC (and MQTT's retained status) it is revoked. */
  revoked(gatewayId: string): void {
    const gateway = this.store.gateway(gatewayId);
    if (!gateway) return;
    const at = new Date(this.now()).toISOString();
    this.options.onEvent?.(gatewayEvent(randomUUID(), 'gateway.revoked', gateway, this.store.openIncidentFor('gateway-silent', gatewayId, null)?.id ?? 0, gateway.silentSince ?? at, at));
  }

  start(): void {
    this.timer = setInterval(() => this.check(), this.options.checkEveryMs ?? 1_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Marks gateways silent whose announced heartbeats are overdue. */
  check(): void {
    const now = this.now();
    for (const gateway of this.store.listGateways()) {
      if (gateway.revokedAt || gateway.silentSince || !gateway.heartbeat || !gateway.heartbeatAt) continue;
      const overdueAt = Date.parse(gateway.heartbeatAt) + this.options.missedIntervals * gateway.heartbeat.intervalSeconds * 1000;
      if (now <= overdueAt) continue;
      const since = new Date(now).toISOString();
      this.store.transaction(() => {
        this.store.setSilent(gateway.id, since);
        const incidentId = this.store.openIncident({
          kind: 'gateway-silent',
          gatewayId: gateway.id,
          decoy: null,
          srcIp: null,
          severity: 'high',
          firstSeen: since,
          lastSeen: since,
          hitCount: 0,
          detail: { lastHeartbeatAt: gateway.heartbeatAt, intervalSeconds: gateway.heartbeat!.intervalSeconds, missedIntervals: this.options.missedIntervals, outboxDepth: gateway.heartbeat!.outboxDepth },
        });
        this.options.onEvent?.(gatewayEvent(randomUUID(), 'gateway.silent', gateway, incidentId, since, since));
      });
      this.log.warn({ gateway: gateway.name, lastHeartbeatAt: gateway.heartbeatAt }, 'gateway silent');
    }
  }
}
