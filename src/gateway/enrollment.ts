/** The enrollment file: a gateway's identity and shared secret, issued by `tripline console enroll`. */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { decodeSecret } from '../relay/wire.js';

export const Enrollment = z
  .object({
    version: z.literal(1),
    gatewayId: z.string().regex(/^gw-[a-z0-9]{8,32}$/),
    name: z.string().min(1).max(64),
    /** 32 random bytes, base64url. */
    secret: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    consoleUrl: z.string().url(),
    dnsDomain: z.string().optional(),
  })
  .strict();
export type Enrollment = z.infer<typeof Enrollment>;

export class EnrollmentError extends Error {
  override name = 'EnrollmentError';
}

export function loadEnrollment(file: string): Enrollment & { secretBytes: Buffer } {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new EnrollmentError(`${file}: cannot read enrollment file: ${(err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new EnrollmentError(`${file}: enrollment file is readable by group or others (mode ${(mode & 0o777).toString(8)}); it holds the gateway's secret: chmod 600 ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new EnrollmentError(`${file}: not a Tripline enrollment file (${(err as Error).message})`);
  }
  const parsed = Enrollment.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EnrollmentError(`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return { ...parsed.data, secretBytes: decodeSecret(parsed.data.secret) };
}
