/**
 * What the console tells the SOC about: an incident opened, or escalated (severity or class rose);
 * a gateway gone silent, heard again, or revoked. Gateway events carry their "gateway silent"
 * incident (kind `gateway-silent`, severity high) so a severity filter lets both halves through.
 */
export type IncidentEventType = 'incident.opened' | 'incident.escalated' | 'gateway.silent' | 'gateway.recovered' | 'gateway.revoked';

export interface IncidentEvent {
  /** Unique per event: receivers de-duplicate by it. */
  id: string;
  type: IncidentEventType;
  at: string;
  incident: {
    id: number;
    kind: string;
    gatewayId: string;
    gatewayName: string | null;
    decoy: string | null;
    src: string | null;
    severity: string;
    classification: string | null;
    techniques: string[];
    firstSeen: string;
    lastSeen: string;
    hitCount: number;
    counts: Record<string, number>;
    /** Written values, as text (attacker-controlled: escaped wherever they land). */
    writes: string[];
    users: string[];
    /** Canary tokens: where the token was planted (operator's text). */
    memo?: string;
  };
}

export function isGatewayEvent(event: IncidentEvent): boolean {
  return event.type.startsWith('gateway.');
}

/** A gateway liveness event around its "gateway silent" incident (`incidentId` 0 when there is none). */
export function gatewayEvent(
  id: string,
  type: 'gateway.silent' | 'gateway.recovered' | 'gateway.revoked',
  gateway: { id: string; name: string | null },
  incidentId: number,
  silentSince: string,
  at: string,
): IncidentEvent {
  return {
    id,
    type,
    at,
    incident: {
      id: incidentId, kind: 'gateway-silent', gatewayId: gateway.id, gatewayName: gateway.name, decoy: null, src: null, severity: 'high', classification: null,
      techniques: [], firstSeen: silentSince, lastSeen: at, hitCount: 0, counts: {}, writes: [], users: [],
    },
  };
}
