/**
 * What the SOC can change, each in one transaction with its audit entry: triage of incidents,
 * gateway revocation and secret rotation, the scanner whitelist, API tokens. The dashboard forms
 * and the JSON API both come through here, so neither can skip the audit log.
 */
import type { ConsoleStore, Triage } from './store.js';
import type { AuditLog } from './auth/audit.js';
import type { WhitelistStore } from './whitelist-store.js';
import type { ApiTokens } from './auth/api-tokens.js';
import type { Enrollment } from '../gateway/enrollment.js';

export interface Actor {
  name: string;
  srcIp: string | null;
}

export class ActionError extends Error {
  constructor(message: string, readonly status: 400 | 404 | 409) {
    super(message);
  }
}

const MAX_NOTE = 2000;

export class SocActions {
  constructor(
    private readonly deps: {
      store: ConsoleStore;
      audit: AuditLog;
      whitelist: WhitelistStore;
      apiTokens: ApiTokens;
      /** The settings gateways are enrolled with (for a rotated secret's new enrollment file). */
      enrollmentDefaults: () => { consoleUrl: string; dnsDomain?: string };
      /** Called after a gateway's secret or standing changed, so cached keys are dropped. */
      onGatewayChanged?: (gatewayId: string) => void;
      /** Called after a revocation: the SOC hears of it (notifications, MQTT's retained status). */
      onGatewayRevoked?: (gatewayId: string) => void;
    },
  ) {}

  private tx<T>(fn: () => T): T {
    return this.deps.store.db.transaction(fn)();
  }

  triage(id: number, to: Triage, note: string | undefined, actor: Actor): void {
    const text = note?.trim().slice(0, MAX_NOTE) || null;
    if (to === 'resolved' && !text) throw new ActionError('resolving an incident needs a note (what was it?)', 400);
    this.tx(() => {
      const incident = this.deps.store.incident(id);
      if (!incident) throw new ActionError(`no incident ${id}`, 404);
      this.deps.store.setTriage(id, to, text, actor.name);
      const action = to === 'acknowledged' ? 'incident.acknowledge' : to === 'resolved' ? 'incident.resolve' : 'incident.reopen';
      this.deps.audit.record({ actor: actor.name, action, target: `incident:${id}`, detail: text, srcIp: actor.srcIp });
    });
  }

  revokeGateway(gatewayId: string, actor: Actor): void {
    this.tx(() => {
      const gateway = this.deps.store.gateway(gatewayId);
      if (!gateway) throw new ActionError(`no gateway ${gatewayId}`, 404);
      if (!this.deps.store.revokeGateway(gatewayId)) throw new ActionError(`gateway ${gateway.name} is already revoked`, 409);
      this.deps.audit.record({ actor: actor.name, action: 'gateway.revoke', target: `gateway:${gatewayId}`, detail: gateway.name, srcIp: actor.srcIp });
      this.deps.onGatewayRevoked?.(gatewayId);
    });
    this.deps.onGatewayChanged?.(gatewayId);
  }

  /** A new secret, effective at once; returns the gateway's new enrollment file content. */
  rotateGateway(gatewayId: string, actor: Actor): Enrollment {
    const enrollment = this.tx(() => {
      const gateway = this.deps.store.gateway(gatewayId);
      if (!gateway) throw new ActionError(`no gateway ${gatewayId}`, 404);
      if (gateway.revokedAt) throw new ActionError(`gateway ${gateway.name} is revoked; enroll a new one instead`, 409);
      const secret = this.deps.store.rotateGatewaySecret(gatewayId)!;
      this.deps.audit.record({ actor: actor.name, action: 'gateway.rotate', target: `gateway:${gatewayId}`, detail: gateway.name, srcIp: actor.srcIp });
      const defaults = this.deps.enrollmentDefaults();
      return { version: 1 as const, gatewayId, name: gateway.name, secret, consoleUrl: defaults.consoleUrl, ...(defaults.dnsDomain ? { dnsDomain: defaults.dnsDomain } : {}) };
    });
    this.deps.onGatewayChanged?.(gatewayId);
    return enrollment;
  }

  addToWhitelist(cidr: string, note: string | undefined, actor: Actor): string {
    return this.tx(() => {
      let text: string;
      try {
        text = this.deps.whitelist.add(cidr, note?.trim().slice(0, 200) || null, actor.name);
      } catch (err) {
        throw new ActionError((err as Error).message, 400);
      }
      this.deps.audit.record({ actor: actor.name, action: 'whitelist.add', target: `whitelist:${text}`, detail: note ?? null, srcIp: actor.srcIp });
      return text;
    });
  }

  removeFromWhitelist(cidr: string, actor: Actor): void {
    this.tx(() => {
      if (!this.deps.whitelist.remove(cidr)) throw new ActionError(`${cidr} is not on the dashboard's whitelist (command-line entries are removed there)`, 404);
      this.deps.audit.record({ actor: actor.name, action: 'whitelist.remove', target: `whitelist:${cidr}`, srcIp: actor.srcIp });
    });
  }

  createApiToken(name: string, actor: Actor): string {
    return this.tx(() => {
      let token: string;
      try {
        token = this.deps.apiTokens.create(name).token;
      } catch (err) {
        throw new ActionError((err as Error).message, 400);
      }
      this.deps.audit.record({ actor: actor.name, action: 'api-token.create', target: `api-token:${name}`, srcIp: actor.srcIp });
      return token;
    });
  }

  revokeApiToken(id: number, actor: Actor): void {
    this.tx(() => {
      if (!this.deps.apiTokens.revoke(id)) throw new ActionError(`no live API token ${id}`, 404);
      this.deps.audit.record({ actor: actor.name, action: 'api-token.revoke', target: `api-token:${id}`, srcIp: actor.srcIp });
    });
  }
}
