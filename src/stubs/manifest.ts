/**
 * The stub catalogue: `firmware-stubs/manifest.json` names each template, its format and its
 * placeholders (`{{NAME}}` in the file) and says what fills each one: a fresh DNS or URL token, a
 * random value, a credential canary, or a default the operator may override with --set.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { z } from 'zod';

export const STUB_DIR = fileURLToPath(new URL('../../firmware-stubs/', import.meta.url));

const Placeholder = z.union([
  z.object({ token: z.literal('dns') }).strict(),
  z.object({ token: z.literal('url'), path: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/).optional() }).strict(),
  z.object({ random: z.enum(['password', 'serial', 'hex8']) }).strict(),
  z.object({ credential: z.enum(['user', 'password']) }).strict(),
  z.object({ default: z.string(), description: z.string().optional() }).strict(),
]);
export type Placeholder = z.infer<typeof Placeholder>;

const Stub = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    file: z.string(),
    /** firmware: PFWI image, placeholders in the payload; xml: values XML-escaped; text: as is. */
    format: z.enum(['firmware', 'xml', 'text']),
    /** The file name to plant it under (a suggestion for --out). */
    plantAs: z.string(),
    placeholders: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), Placeholder),
  })
  .strict();
export type Stub = z.infer<typeof Stub>;

const Manifest = z.object({ version: z.literal(1), stubs: z.array(Stub) }).strict();

export function loadStubs(dir = STUB_DIR): Stub[] {
  const file = join(dir, 'manifest.json');
  const parsed = Manifest.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data.stubs;
}

export function templateOf(stub: Stub, dir = STUB_DIR): Buffer {
  return readFileSync(join(dir, stub.file));
}
