/** How incidents and gateways are shown, the same in the JSON API and the dashboard. */
import type { ConsoleStore, GatewayRecord, IncidentRecord } from './store.js';
import type { WriteRecord } from '../core/incident.js';

export interface IncidentView {
  id: number;
  kind: string;
  status: string;
  triage: string;
  triageNote: string | null;
  triageBy: string | null;
  triageAt: string | null;
  gatewayId: string;
  gatewayName: string | null;
  decoy: string | null;
  src: { ip: string } | null;
  severity: string;
  classification: string | null;
  techniques: { id: string; name: string }[];
  firstSeen: string;
  lastSeen: string;
  hitCount: number;
  /** Below hitCount: the gateway's summary counts hits whose detail is still on its way. */
  hitsReceived: number;
  reportVersion: number;
  counts: Record<string, number>;
  writes: WriteRecord[];
  users: string[];
  detail: Record<string, unknown>;
}

export function incidentView(incident: IncidentRecord, gatewayNames: ReadonlyMap<string, string>): IncidentView {
  const { counts, writes, users, classification, techniques, ...rest } = incident.detail as {
    counts?: Record<string, number>;
    writes?: WriteRecord[];
    users?: string[];
    classification?: string;
    techniques?: { id: string; name: string }[];
  };
  return {
    id: incident.id,
    kind: incident.kind,
    status: incident.status,
    triage: incident.triage,
    triageNote: incident.triageNote,
    triageBy: incident.triageBy,
    triageAt: incident.triageAt,
    gatewayId: incident.gatewayId,
    gatewayName: gatewayNames.get(incident.gatewayId) ?? null,
    decoy: incident.decoy,
    src: incident.srcIp ? { ip: incident.srcIp } : null,
    severity: incident.severity,
    classification: classification ?? null,
    techniques: techniques ?? [],
    firstSeen: incident.firstSeen,
    lastSeen: incident.lastSeen,
    hitCount: incident.hitCount,
    hitsReceived: incident.fromHits?.hitCount ?? incident.hitCount,
    reportVersion: incident.reportVersion,
    counts: counts ?? {},
    writes: writes ?? [],
    users: users ?? [],
    detail: rest,
  };
}

export function gatewayNames(store: ConsoleStore): Map<string, string> {
  return new Map(store.listGateways().map((g) => [g.id, g.name]));
}

export type GatewayStatus = 'revoked' | 'silent' | 'ok' | 'never-heard';

export function gatewayView({ secret: _secret, ...g }: GatewayRecord) {
  const status: GatewayStatus = g.revokedAt ? 'revoked' : g.silentSince ? 'silent' : g.heartbeatAt ? 'ok' : 'never-heard';
  return { ...g, status };
}
export type GatewayView = ReturnType<typeof gatewayView>;
