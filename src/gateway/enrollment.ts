/** The enrollment file: a gateway's identity and shared secret, issued by `tripline console enroll`. */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
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
  const problem = permissionProblem(file, mode);
  if (problem) throw new EnrollmentError(problem);
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

/**
 * Why the file's mode is unsafe for a secret, or undefined when it is safe: no access for group
 * or others. One exception: a systemd credential (LoadCredential=) in $CREDENTIALS_DIRECTORY,
 * which systemd makes 0400 and opens to the service's user with an ACL; on a file with an ACL,
 * the group bits show the ACL mask (0440), not a group's access. Others still get nothing.
 */
export function permissionProblem(file: string, mode: number): string | undefined {
  const bits = mode & 0o777;
  const allowed = inCredentialsDirectory(file) ? 0o040 : 0;
  if ((bits & 0o077 & ~allowed) === 0) return undefined;
  return `${file}: enrollment file is readable by group or others (mode ${bits.toString(8).padStart(4, '0')}); it holds the gateway's secret: chmod 600 ${file}, or hand it over with systemd's LoadCredential=`;
}

/** True for a file inside the directory systemd hands this service its credentials in. */
function inCredentialsDirectory(file: string): boolean {
  const dir = process.env.CREDENTIALS_DIRECTORY;
  if (!dir) return false;
  try {
    // Only systemd's own credential mounts: an environment variable pointing at /tmp must not
    // turn a group-readable secret into an accepted one.
    const real = realpathSync(dir);
    if (!real.startsWith('/run/credentials/')) return false;
    const rel = relative(real, realpathSync(file));
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  } catch {
    return false;
  }
}
