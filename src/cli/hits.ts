import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readApiToken, readPublicSettings } from '../console/settings.js';
import type { StoredHit } from '../console/store.js';
import { formatHitTable } from './format.js';
import { defaultDataDir, parsePositiveInt, parseUrl, UsageError } from './options.js';

export function hitsCommand(): Command {
  return new Command('hits')
    .description("print the console's latest hits as a table")
    .option('--data <dir>', "the console's data directory (finds its URL and API token)", defaultDataDir())
    .option('--console-url <url>', 'console URL (default: from --data)', parseUrl)
    .option('--api-token <token>', 'API bearer token (or TRIPLINE_API_TOKEN; default: from --data)')
    .option('--limit <n>', 'how many hits', parsePositiveInt, 20)
    .option('--json', 'print the API response as JSON')
    .action(async (opts) => {
      const url = opts.consoleUrl ?? (opts.data ? readPublicSettings(opts.data)?.consoleUrl : undefined);
      const token = opts.apiToken ?? process.env.TRIPLINE_API_TOKEN ?? (opts.data ? readApiToken(opts.data) : undefined);
      if (!url) {
        const why = !opts.data ? 'neither --console-url nor --data given' : !existsSync(opts.data) ? `${opts.data} does not exist` : `${opts.data} is not a console's data directory (no console.json)`;
        throw new UsageError(`no console URL: ${why}; pass --console-url, or the --data DIR of a console that has run`);
      }
      if (!token) throw new UsageError('no API token: pass --api-token or set TRIPLINE_API_TOKEN');
      const endpoint = new URL(`/api/v1/hits?limit=${Math.min(opts.limit, 10_000)}`, url);
      let response: Response;
      try {
        response = await fetch(endpoint, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      } catch (err) {
        const cause = (err as Error & { cause?: Error }).cause ?? (err as Error);
        throw new UsageError(`cannot reach the console at ${url}: ${cause.message}`);
      }
      if (response.status === 401) throw new UsageError(`the console at ${url} refused the API token`);
      if (!response.ok) throw new UsageError(`the console at ${url} answered HTTP ${response.status}`);
      const { hits } = (await response.json()) as { hits: StoredHit[] };
      if (opts.json) process.stdout.write(JSON.stringify({ hits }, null, 2) + '\n');
      else process.stdout.write(hits.length ? formatHitTable(hits) + '\n' : 'no hits yet\n');
    });
}
