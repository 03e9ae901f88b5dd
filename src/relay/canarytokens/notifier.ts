/**
 * Reports new incidents to a stock Canarytokens server as DNS token lookups. That server keeps
 * no per-gateway secret and sends no acknowledgement, so this is a best-effort side channel next
 * to the authenticated relay, never a replacement for it.
 */
import type { Logger } from 'pino';
import type { Hit } from '../../core/hit.js';
import { ResolverClient, type ResolverAddress } from '../dns/resolver-client.js';
import { encodeGenericData } from './generic-data.js';

export interface CanarytokensOptions {
  hostname: string;
  resolver: ResolverAddress;
  gatewayName: string;
  /** A source touching a decoy again within this window is the same incident. */
  incidentWindowMs?: number;
}

export class CanarytokensNotifier {
  private readonly client: ResolverClient;
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly options: CanarytokensOptions, private readonly log: Logger, private readonly now = Date.now) {
    this.client = new ResolverClient(options.resolver, 2_000);
  }

  /** Called for every recorded hit; looks up the token for the first hit of an incident. */
  onHit(hit: Hit): void {
    const key = `${hit.src.serial ?? hit.src.ip}|${hit.decoy}`;
    const now = this.now();
    const previous = this.lastSeen.get(key);
    this.lastSeen.set(key, now);
    if (this.lastSeen.size > 10_000) this.lastSeen.delete(this.lastSeen.keys().next().value as string);
    if (previous !== undefined && now - previous < (this.options.incidentWindowMs ?? 10 * 60_000)) return;
    const name = encodeGenericData(describe(this.options.gatewayName, hit), this.options.hostname);
    void this.lookup(name);
  }

  close(): void {
    this.client.close();
  }

  private async lookup(name: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.client.queryA(name);
        return;
      } catch {
        /* try again: the stock server only records queries it receives */
      }
    }
    this.log.warn({ hostname: this.options.hostname }, 'Canarytokens lookup got no answer');
  }
}

/** ~120 bytes of what a SOC needs first: where, which decoy, who, what. */
export function describe(gatewayName: string, hit: Hit): string {
  const op = hit.functionCode === null ? 'malformed' : `FC${hit.functionCode}${hit.address !== null ? `@${hit.address}` : ''}${hit.values ? ' write' : ''}`;
  return `${gatewayName} ${hit.decoy} from ${hit.src.serial ?? hit.src.ip} ${op} unit ${hit.unitId ?? '-'}`;
}
