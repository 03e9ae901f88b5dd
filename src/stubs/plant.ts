/**
 * A stamp of a stub for planting: fresh tokens registered at the console (memo: where the copy
 * goes), random values drawn, credentials supplied, then the unique copy's bytes.
 */
import { randomBytes } from 'node:crypto';
import type { TokenStore } from '../console/tokens/token-store.js';
import { viewToken, type TokenSettings, type TokenView } from '../console/tokens/view.js';
import { newPassword } from '../gateway/credentials.js';
import type { Stub } from './manifest.js';
import { StampError, stampStub } from './stamp.js';

export interface PlantOptions {
  tokens: TokenStore;
  settings: TokenSettings;
  memo: string;
  /** Operator's values for `default` placeholders. */
  set: Record<string, string>;
  /** The credential canary the copy carries, when the stub has one. */
  credential?: { user: string; password: string };
}

export function plantStub(stub: Stub, template: Buffer, opts: PlantOptions): { bytes: Buffer; tokens: TokenView[]; values: Record<string, string> } {
  for (const name of Object.keys(opts.set)) {
    const p = stub.placeholders[name];
    if (!p || !('default' in p)) throw new StampError(`--set ${name}: ${stub.name} has no settable placeholder ${name} (settable: ${settable(stub).join(', ') || 'none'})`);
  }
  const values: Record<string, string> = {};
  const tokens: TokenView[] = [];
  for (const [name, p] of Object.entries(stub.placeholders)) {
    if ('token' in p) {
      if (p.token === 'dns' && !opts.settings.zone) throw new StampError(`{{${name}}} needs a DNS token, and no canary zone is known: start the console with --domain ZONE, or pass --domain`);
      if (p.token === 'url' && !opts.settings.publicUrl) throw new StampError(`{{${name}}} needs a URL token, and no public URL is known: pass --public-url`);
      const view = viewToken(opts.tokens.create(p.token, opts.memo, `stub:${stub.name}:${name}`), opts.settings);
      tokens.push(view);
      values[name] = p.token === 'dns' ? view.hostname! : `${view.url!}${p.token === 'url' ? (p.path ?? '') : ''}`;
    } else if ('random' in p) {
      values[name] = p.random === 'password' ? newPassword() : p.random === 'hex8' ? randomBytes(4).toString('hex') : randomSerial();
    } else if ('credential' in p) {
      if (!opts.credential) throw new StampError(`${stub.name} carries a credential canary: pass --gateway-data DIR (creates one at the gateway) or --user and --password (from \`tripline gateway credential new\`)`);
      values[name] = opts.credential[p.credential];
    } else {
      values[name] = opts.set[name] ?? p.default;
    }
  }
  return { bytes: stampStub(stub, template, values), tokens, values };
}

export function settable(stub: Stub): string[] {
  return Object.entries(stub.placeholders).filter(([, p]) => 'default' in p).map(([n]) => n);
}

function randomSerial(): string {
  const b = randomBytes(6);
  return `${b.readUInt16BE(0).toString(16).toUpperCase().padStart(4, '0')}-${b.readUInt32BE(2).toString().padStart(10, '0')}`;
}
