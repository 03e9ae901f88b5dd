/** A token as the CLI and the API show it: where it lives (name or URL) and its state. */
import { tokenHostname, tokenUrl } from './names.js';
import { alerts, rotationDue, type TokenRecord } from './token-store.js';

export interface TokenSettings {
  /** The canary zone DNS tokens live in (the console's first). */
  zone: string | null;
  /** Base URL of URL tokens. */
  publicUrl: string | null;
}

export interface TokenView extends TokenRecord {
  /** `<token>.<zone>`, for DNS tokens. */
  hostname?: string;
  url?: string;
  status: 'active' | 'disabled' | 'grace' | 'expired';
  rotationDue: boolean;
}

export function viewToken(token: TokenRecord, settings: TokenSettings, now = Date.now()): TokenView {
  const status = token.disabledAt ? 'disabled' : token.graceUntil ? (alerts(token, now) ? 'grace' : 'expired') : 'active';
  const view: TokenView = { ...token, status, rotationDue: rotationDue(token, now) };
  if (token.kind === 'dns' && settings.zone) view.hostname = tokenHostname(token.id, settings.zone);
  if (token.kind === 'url' && settings.publicUrl) view.url = tokenUrl(token.id, settings.publicUrl);
  return view;
}
