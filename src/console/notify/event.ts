/** What the console tells the SOC about: an incident opened, or escalated (severity or class rose). */
export interface IncidentEvent {
  /** Unique per event: receivers de-duplicate by it. */
  id: string;
  type: 'incident.opened' | 'incident.escalated' | 'gateway.silent';
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
