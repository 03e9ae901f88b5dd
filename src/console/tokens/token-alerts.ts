/**
 * Token hits → the SOC. Every hit on a known token is stored; a hit on a token that alerts opens
 * (or extends) a red incident of kind `token`: one per token and source, split by a quiet gap like
 * intrusions. The opening is what notifies; further hits in the same incident only count.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConsoleStore } from '../store.js';
import type { IncidentEvent } from '../notify/event.js';
import { QUIET_GAP_MS } from '../../core/incident.js';
import { logSafe } from '../../core/text.js';
import { TOKEN_GATEWAY_ID } from './names.js';
import { HitBudget } from './hit-budget.js';
import { alerts, TokenStore, type TokenHit } from './token-store.js';

export type TokenHitInput = Omit<TokenHit, 'id' | 'tokenId' | 'alerted' | 'memo'>;

export interface TokenIncidentDetail {
  classification: 'red';
  techniques: { id: string; name: string }[];
  token: string;
  tokenKind: string;
  memo: string;
  planted: string | null;
  counts: Record<string, number>;
  lastHit: string;
}

export class TokenAlerts {
  readonly tokens: TokenStore;
  private readonly budget = new HitBudget();

  constructor(
    private readonly store: ConsoleStore,
    private readonly log: Logger,
    private readonly onEvent?: (event: IncidentEvent) => void,
    private readonly onHit?: (hit: TokenHit) => void,
    private readonly quietGapMs = QUIET_GAP_MS,
    private readonly onLimited?: (channel: string) => void,
  ) {
    this.tokens = new TokenStore(store.db);
  }

  /**
   * Stores a hit on `tokenId`; undefined (nothing stored) when no such token exists, `limited`
   * when the token exists but this source (or everyone together) is over the storage budget.
   */
  record(tokenId: string, input: TokenHitInput): TokenHit | 'limited' | undefined {
    const hit = this.store.transaction(() => {
      const token = this.tokens.get(tokenId);
      if (!token) return undefined;
      if (!this.budget.allow(`${token.id}|${input.src.ip ?? ''}`, Date.now())) return 'limited' as const;
      const stored = this.tokens.insertHit({ ...input, tokenId: token.id, memo: token.memo, alerted: alerts(token) });
      if (stored.alerted) this.incident(stored, token.kind, token.planted);
      return stored;
    });
    if (hit === 'limited') {
      this.onLimited?.(input.channel);
      return hit;
    }
    if (hit) {
      this.log.info({ token: hit.tokenId, memo: logSafe(hit.memo), channel: hit.channel, src: hit.src.ip, alerted: hit.alerted }, 'canary token hit');
      this.onHit?.(hit);
    }
    return hit;
  }

  private incident(hit: TokenHit, tokenKind: string, planted: string | null): void {
    const src = hit.src.ip;
    const open = this.store.db
      .prepare("SELECT id, last_seen, hit_count, detail FROM incidents WHERE kind = 'token' AND gateway_id = ? AND decoy = ? AND src_ip IS ? AND status = 'open' ORDER BY id DESC LIMIT 1")
      .get(TOKEN_GATEWAY_ID, hit.tokenId, src) as { id: number; last_seen: string; hit_count: number; detail: string } | undefined;
    if (open && Date.parse(hit.at) - Date.parse(open.last_seen) <= this.quietGapMs) {
      const detail = JSON.parse(open.detail) as TokenIncidentDetail;
      detail.counts[hit.channel] = (detail.counts[hit.channel] ?? 0) + 1;
      detail.lastHit = hit.id;
      const lastSeen = hit.at > open.last_seen ? hit.at : open.last_seen;
      this.store.updateIncident(open.id, { severity: 'critical', lastSeen, hitCount: open.hit_count + 1, detail });
      return;
    }
    if (open) this.store.clearIncident(open.id, open.last_seen);
    const detail: TokenIncidentDetail = {
      classification: 'red',
      techniques: [],
      token: hit.tokenId,
      tokenKind,
      memo: hit.memo,
      planted,
      counts: { [hit.channel]: 1 },
      lastHit: hit.id,
    };
    const id = this.store.openIncident({ kind: 'token', gatewayId: TOKEN_GATEWAY_ID, decoy: hit.tokenId, srcIp: src, severity: 'critical', firstSeen: hit.at, lastSeen: hit.at, hitCount: 1, detail });
    this.onEvent?.({
      id: randomUUID(),
      type: 'incident.opened',
      at: new Date().toISOString(),
      incident: {
        id, kind: 'token', gatewayId: TOKEN_GATEWAY_ID, gatewayName: null, decoy: hit.tokenId, src, severity: 'critical', classification: 'red', techniques: [],
        firstSeen: hit.at, lastSeen: hit.at, hitCount: 1, counts: detail.counts, writes: [], users: [], memo: hit.memo,
      },
    });
  }
}
