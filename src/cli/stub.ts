/** `tripline stub`: decoy firmware images, project backups and connection profiles carrying tokens. */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadStubs, templateOf } from '../stubs/manifest.js';
import { plantStub, settable } from '../stubs/plant.js';
import { StampError } from '../stubs/stamp.js';
import { MAX_IMAGE_BYTES, verifyImage } from '../stubs/firmware.js';
import { writeAtomic } from '../console/settings.js';
import { GatewayStore } from '../gateway/store.js';
import { loadDeploymentSeed } from '../gateway/deployment.js';
import { CredentialStore, newPassword, newUserName } from '../gateway/credentials.js';
import { withTokens } from './token.js';
import { defaultDataDir, parseUrl, parseZones, UsageError } from './options.js';
import { terminalSafe } from './format.js';

export function stubCommand(): Command {
  const cmd = new Command('stub').description('decoy files (firmware, PLC project, connection profile) that carry unique tokens');

  cmd
    .command('list')
    .description('the stub templates and their placeholders')
    .action(() => {
      for (const stub of loadStubs()) {
        const settableNames = settable(stub);
        process.stdout.write(`${stub.name.padEnd(18)} ${stub.plantAs}\n  ${stub.description}\n  placeholders: ${Object.keys(stub.placeholders).join(', ')}${settableNames.length ? `; --set ${settableNames.join(', ')}` : ''}\n`);
      }
    });

  cmd
    .command('stamp')
    .description('register fresh tokens at the console and write a unique copy of a stub')
    .argument('<name>', 'a stub from `tripline stub list`')
    .requiredOption('--memo <text>', 'where this copy is planted (comes back with every hit)')
    .requiredOption('--out <file>', 'where to write the copy')
    .option('--force', 'overwrite an existing file at --out')
    .option('--data <dir>', "the console's data directory", defaultDataDir())
    .option('--domain <zone>', "canary zone (default: the console's first)", (v: string) => parseZones(v)[0]!)
    .option('--public-url <url>', "base of URL tokens (default: the console's --public-url, else its URL)", parseUrl)
    .option('--set <NAME=VALUE>', 'a value for a settable placeholder (repeatable)', collectSet, {})
    .option('--gateway-data <dir>', "credential stubs: the gateway's data directory, where a credential canary is created")
    .option('--user <name>', 'credential stubs: an existing credential canary (from `tripline gateway credential new`)')
    .option('--password <password>', 'credential stubs: its password')
    .action(async (name: string, opts) => {
      const stub = loadStubs().find((s) => s.name === name);
      if (!stub) throw new UsageError(`no stub "${name}"; \`tripline stub list\` shows them`);
      if (!opts.force && existsSync(opts.out)) throw new UsageError(`${opts.out} exists; choose another --out, or --force`);
      const needsCredential = Object.values(stub.placeholders).some((p) => 'credential' in p);
      let credential: { user: string; password: string } | undefined;
      if (needsCredential) {
        if (opts.user || opts.password) {
          if (!opts.user || !opts.password) throw new UsageError('--user and --password go together');
          credential = { user: opts.user, password: opts.password };
        } else if (opts.gatewayData) {
          credential = await newCredential(opts.gatewayData, String(opts.memo));
        } else {
          throw new UsageError(`${stub.name} carries a credential canary: pass --gateway-data DIR (the gateway's), or --user and --password from \`tripline gateway credential new\``);
        }
      }
      withTokens(opts, ({ tokens, settings }) => {
        try {
          // One transaction: if the copy cannot be written, its tokens are not registered.
          tokens.transaction(() => {
            const { bytes, tokens: made } = plantStub(stub, templateOf(stub), { tokens, settings, memo: opts.memo, set: opts.set, credential });
            writeAtomic(opts.out, bytes.toString('latin1'), 0o644, 'latin1');
            process.stdout.write(`${opts.out}: ${stub.name}, ${bytes.length} bytes; tokens ${made.map((t) => t.hostname ?? t.url).join(', ')}${credential ? `; credential ${credential.user}` : ''}\n`);
          });
        } catch (err) {
          if (err instanceof StampError) throw new UsageError(err.message);
          throw err;
        }
      });
    });

  cmd
    .command('verify')
    .description("check a firmware stub's header: magic, lengths, header and payload CRC-32")
    .argument('<file>')
    .action((file: string) => {
      if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
      if (statSync(file).size > MAX_IMAGE_BYTES) throw new UsageError(`${file} is larger than ${MAX_IMAGE_BYTES} bytes: not a stub image`);
      const verdict = verifyImage(readFileSync(file));
      if (!verdict.ok) {
        process.stderr.write(`${terminalSafe(file)}: invalid: ${verdict.problem}\n`);
        process.exitCode = 1;
        return;
      }
      const i = verdict.image;
      process.stdout.write(terminalSafe(`${file}: valid PFWI image, ${i.productCode} ${i.version} (${i.hardware}), built ${new Date(i.buildTime * 1000).toISOString()}, payload ${i.payload.length} bytes, CRCs match`) + '\n');
    });
  return cmd;
}

function collectSet(value: string, previous: Record<string, string>): Record<string, string> {
  const m = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(value);
  if (!m) throw new InvalidArgumentError('expected NAME=VALUE, e.g. ENDPOINT_HOST=10.20.1.17');
  if (m[2]!.length > 200 || /[\u0000-\u001f]/.test(m[2]!)) throw new InvalidArgumentError('a value of at most 200 printable characters');
  return { ...previous, [m[1]!]: m[2]! };
}

/** A credential canary at the gateway (as `gateway credential new` makes one). */
async function newCredential(gatewayData: string, memo: string): Promise<{ user: string; password: string }> {
  mkdirSync(gatewayData, { recursive: true, mode: 0o700 });
  const seed = loadDeploymentSeed(gatewayData);
  const store = new GatewayStore(join(gatewayData, 'gateway.db'));
  try {
    const credentials = new CredentialStore(store.db, seed);
    for (let attempt = 0; ; attempt++) {
      const user = newUserName();
      const password = newPassword();
      try {
        await credentials.add(user, password, memo.slice(0, 200));
        return { user, password };
      } catch (err) {
        // The user name pool is small: draw again on a clash.
        if (!/UNIQUE/.test(String(err)) || attempt >= 20) throw err;
      }
    }
  } finally {
    store.close();
  }
}
