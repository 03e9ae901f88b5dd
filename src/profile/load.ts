/** Reads a profile from YAML and reports every problem as `file:line:col: key: message`. */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { Profile } from './schema.js';
import { checkProfile, type ProfileIssue } from './check.js';

export class ProfileError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(problems.length === 1 ? problems[0]! : `${file}: ${problems.length} problems:\n  ${problems.join('\n  ')}`);
    this.name = 'ProfileError';
  }
}

/** The profiles shipped with Tripline: `<package>/profiles`. */
export const BUILTIN_PROFILE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'profiles');

export function listBuiltinProfiles(): string[] {
  return readdirSync(BUILTIN_PROFILE_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

/** A bare name (`water-lift-station`) means a shipped profile; anything with a slash or `.yaml` is a path. */
export function resolveProfilePath(nameOrPath: string): string {
  if (/[\\/]/.test(nameOrPath)) return resolve(nameOrPath);
  if (/\.ya?ml$/.test(nameOrPath)) {
    // `water-lift-station.yaml` means the file here if there is one, else the shipped profile.
    const shipped = join(BUILTIN_PROFILE_DIR, nameOrPath);
    return existsSync(nameOrPath) || !existsSync(shipped) ? resolve(nameOrPath) : shipped;
  }
  const builtin = join(BUILTIN_PROFILE_DIR, `${nameOrPath}.yaml`);
  if (!existsSync(builtin)) {
    throw new ProfileError(nameOrPath, [`no profile named "${nameOrPath}" (shipped: ${listBuiltinProfiles().join(', ')}); give a path to use your own`]);
  }
  return builtin;
}

export function loadProfile(nameOrPath: string): Profile {
  const file = resolveProfilePath(nameOrPath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProfileError(file, [`${file}: cannot read: ${(err as Error).message}`]);
  }
  return parseProfile(text, file);
}

export function parseProfile(text: string, file: string): Profile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ProfileError(file, doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`;
    }));
  }
  const where = (path: (string | number | symbol)[]): string => {
    // Walk up to the nearest node that exists (a missing key is reported at its parent).
    for (let p = path; ; p = p.slice(0, -1)) {
      const node = p.length === 0 ? doc.contents : doc.getIn(p as (string | number)[], true);
      if (isNode(node) && node.range) {
        const pos = lines.linePos(node.range[0]);
        return `${file}:${pos.line}:${pos.col}`;
      }
      if (p.length === 0) return file;
    }
  };
  const describe = (path: (string | number | symbol)[]) => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('') || '(top level)';

  const parsed = Profile.safeParse(doc.toJS());
  if (!parsed.success) {
    const got = (path: (string | number | symbol)[]) => {
      const value = path.length ? doc.getIn(path as (string | number)[]) : undefined;
      return value === undefined || typeof value === 'object' ? '' : ` (got ${JSON.stringify(value)})`;
    };
    throw new ProfileError(file, parsed.error.issues.map((issue) => `${where(issue.path)}: ${describe(issue.path)}: ${issue.message}${got(issue.path)}`));
  }
  const issues: ProfileIssue[] = checkProfile(parsed.data);
  if (issues.length > 0) {
    throw new ProfileError(file, issues.map((issue) => `${where(issue.path)}: ${describe(issue.path)}: ${issue.message}`));
  }
  return parsed.data;
}
