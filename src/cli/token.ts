/** `tripline token`: canary tokens (DNS names and URLs) registered at the console. */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, writeFileSync, chmodSync } from 'node:fs';
import { openLocalTokens, type LocalTokens } from '../console/tokens/local.js';
import { TokenError, type TokenHit } from '../console/tokens/token-store.js';
import { viewToken, type TokenView } from '../console/tokens/view.js';
import { batchFile, shellScript } from '../console/tokens/planting.js';
import { DEFAULT_GRACE_DAYS } from '../console/http/token-api.js';
import { defaultDataDir, parsePositiveInt, parseUrl, parseZones, UsageError } from './options.js';
import { terminalSafe } from './format.js';

const KINDS = ['dns', 'url', 'bat', 'sh'] as const;

/** Runs `fn` on the data dir's token store; a token error is the user's to fix. */
export function withTokens<T>(opts: { data?: string; domain?: string; publicUrl?: string }, fn: (local: LocalTokens) => T): T {
  if (!opts.data) throw new UsageError("token commands need --data DIR (the console's)");
  let local: LocalTokens | undefined;
  try {
    local = openLocalTokens(opts.data, { zone: opts.domain, publicUrl: opts.publicUrl });
    return fn(local);
  } catch (err) {
    if (err instanceof TokenError) throw new UsageError(err.message);
    throw err;
  } finally {
    local?.close();
  }
}

export function tokenCommand(): Command {
  const cmd = new Command('token').description('canary tokens: DNS names and URLs whose use alerts the SOC');
  const data = (c: Command) => c.option('--data <dir>', "the console's data directory", defaultDataDir());

  data(
    cmd
      .command('new')
      .description('create a token: dns (prints a hostname), url (prints a URL), bat / sh (writes a script that looks the hostname up)')
      .argument('<kind>', KINDS.join(' | '), (v: string) => {
        if (!(KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${KINDS.join(', ')}`);
        return v as (typeof KINDS)[number];
      })
      .requiredOption('--memo <text>', 'where it will be planted, e.g. "SQL backup share on HIST-01"')
      .option('--out <file>', 'bat / sh: where to write the script')
      .option('--force', 'overwrite an existing file at --out')
      .option('--domain <zone>', "canary zone (default: the console's first)", (v: string) => parseZones(v)[0]!)
      .option('--public-url <url>', "base of URL tokens (default: the console's --public-url, else its URL)", parseUrl),
  ).action((kind: (typeof KINDS)[number], opts) => {
    const script = kind === 'bat' || kind === 'sh';
    if (script && !opts.out) throw new UsageError(`token new ${kind} needs --out FILE (e.g. ${kind === 'bat' ? 'db_maintenance.bat' : 'backup_check.sh'})`);
    if (opts.out && !opts.force && existsSync(opts.out)) throw new UsageError(`${opts.out} exists; choose another --out, or --force`);
    withTokens(opts, ({ tokens, settings, audit }) => {
      if (kind !== 'url' && !settings.zone) throw new UsageError('no canary zone known: start the console with --domain ZONE, or pass --domain');
      const record = tokens.create(kind === 'url' ? 'url' : 'dns', opts.memo, script ? kind : null);
      audit('canary-token.create', record.id, opts.memo);
      const view = viewToken(record, settings);
      if (script) {
        writeFileSync(opts.out, kind === 'bat' ? batchFile(view.hostname!) : shellScript(view.hostname!));
        if (kind === 'sh') chmodSync(opts.out, 0o755);
        process.stdout.write(`token ${record.id}: ${opts.out} looks up ${view.hostname} when run\n`);
      } else {
        process.stdout.write(`${view.hostname ?? view.url}\n`);
      }
    });
  });

  data(cmd.command('list').description('tokens, their state and where they are planted').option('--json', 'one JSON object per line')).action((opts) => {
    withTokens(opts, ({ tokens, settings }) => {
      for (const t of tokens.list().map((r) => viewToken(r, settings))) {
        process.stdout.write(opts.json ? `${JSON.stringify(t)}\n` : `${formatToken(t)}\n`);
      }
    });
  });

  data(
    cmd
      .command('hits')
      .description('token hits, newest first')
      .argument('[token]', 'only this token')
      .option('--limit <n>', 'at most this many', parsePositiveInt, 50)
      .option('--json', 'one JSON object per line'),
  ).action((token: string | undefined, opts) => {
    withTokens(opts, ({ tokens }) => {
      for (const hit of tokens.hits({ limit: opts.limit, tokenId: token })) process.stdout.write(opts.json ? `${JSON.stringify(hit)}\n` : `${formatHit(hit)}\n`);
    });
  });

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    data(cmd.command(name).description(disabled ? 'stop notifying for a token (its hits are still recorded)' : 'notify for a token again').argument('<token>')).action((id: string, opts) => {
      withTokens(opts, ({ tokens, settings, audit }) => {
        const token = tokens.setDisabled(id, disabled);
        audit(disabled ? 'canary-token.disable' : 'canary-token.enable', token.id, token.memo);
        process.stdout.write(`${formatToken(viewToken(token, settings))}\n`);
      });
    });
  }

  data(cmd.command('delete').description('forget a token (its recorded hits stay)').argument('<token>')).action((id: string, opts) => {
    withTokens(opts, ({ tokens, audit }) => {
      const memo = tokens.get(id)?.memo;
      tokens.delete(id);
      audit('canary-token.delete', id.toLowerCase(), memo);
      process.stdout.write(`deleted token ${id}\n`);
    });
  });

  data(
    cmd
      .command('rotate')
      .description('replace a token with a new one; the old one keeps alerting for a grace period (rotate credential-like tokens every 90 days)')
      .argument('<token>')
      .option('--grace-days <days>', 'how long the old token keeps alerting', parseGraceDays, DEFAULT_GRACE_DAYS),
  ).action((id: string, opts) => {
    withTokens(opts, ({ tokens, settings, audit }) => {
      const { old, replacement } = tokens.rotate(id, opts.graceDays);
      audit('canary-token.rotate', old.id, `to ${replacement.id}, old name alerts until ${old.graceUntil}`);
      const view = viewToken(replacement, settings);
      process.stdout.write(`${view.hostname ?? view.url ?? replacement.id}\n`);
      process.stderr.write(`token ${old.id} replaced by ${replacement.id}; the old one alerts until ${old.graceUntil}\n`);
    });
  });
  return cmd;
}

function parseGraceDays(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 365) throw new InvalidArgumentError('expected a number of days, 0–365');
  return n;
}

function formatToken(t: TokenView): string {
  const where = t.hostname ?? t.url ?? '(no zone / URL configured)';
  const state = t.status === 'grace' ? `grace until ${t.graceUntil}` : t.status;
  const due = t.rotationDue ? '  rotation due' : '';
  return terminalSafe(`${t.id}  ${t.kind.padEnd(3)}  ${state.padEnd(8)}  ${where}  ${t.planted ? `[${t.planted}] ` : ''}${t.memo}${due}`);
}

function formatHit(h: TokenHit): string {
  const what = h.dns
    ? `dns ${h.dns.queryType} ${h.dns.name}${h.dns.data !== undefined ? ` data=${JSON.stringify(h.dns.data)}` : ''}`
    : `http ${h.http?.method} ${h.http?.path} ua=${JSON.stringify(h.http?.userAgent ?? '')}`;
  return terminalSafe(`${h.at}  ${h.tokenId}  ${h.src.ip ?? '-'}  ${h.alerted ? 'alert' : 'quiet'}  ${h.memo}  ${what}`);
}
