/**
 * Stamping: a template with its placeholders filled. Pure: the values (fresh tokens, credentials,
 * random strings) come in, the unique copy's bytes go out. A firmware image is re-sealed, so its
 * lengths and checksums are right for the new payload.
 */
import { sealImage, verifyImage } from './firmware.js';
import type { Stub } from './manifest.js';

export class StampError extends Error {}

const PLACEHOLDER = /\{\{([A-Z][A-Z0-9_]*)\}\}/g;

export function stampStub(stub: Stub, template: Buffer, values: Record<string, string>): Buffer {
  for (const name of Object.keys(stub.placeholders)) if (values[name] === undefined) throw new StampError(`no value for {{${name}}}`);
  if (stub.format === 'firmware') {
    const verdict = verifyImage(template);
    if (!verdict.ok) throw new StampError(`template ${stub.file} is not a valid image: ${verdict.problem}`);
    const payload = Buffer.from(fill(verdict.image.payload.toString('latin1'), values, (v) => v), 'latin1');
    return sealImage(verdict.image, payload);
  }
  const escape = stub.format === 'xml' ? xmlEscape : (v: string) => v;
  return Buffer.from(fill(template.toString('utf8'), values, escape), 'utf8');
}

/** The placeholders a template holds: the manifest must cover every one. */
export function placeholdersIn(template: Buffer): string[] {
  return [...new Set([...template.toString('latin1').matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

function fill(text: string, values: Record<string, string>, escape: (v: string) => string): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new StampError(`template has {{${name}}}, which the manifest does not list`);
    return escape(value);
  });
}

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
