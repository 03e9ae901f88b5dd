/**
 * 30% random loss in both directions between gateway and console (nftables `numgen random` in a
 * private network namespace), on DNS and HTTP alike: every hit arrives, once, and every incident
 * is counted exactly.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hasTool } from './helpers/net.js';

const SCENARIO = fileURLToPath(new URL('./scenarios/lossy-link.mjs', import.meta.url));

describe('a lossy link', () => {
  it('delivers 300 hits from 5 sources at 30% loss each way, none duplicated, as 5 incidents', async () => {
    if (process.getuid?.() !== 0) {
      console.warn('SKIP lossy link: needs root (CAP_NET_ADMIN) for unshare -n and nft; CI runs as root');
      return;
    }
    if (!hasTool('nft', 'lossy link') || !hasTool('unshare', 'lossy link')) return;
    const output = await new Promise<string>((resolve, reject) =>
      execFile('unshare', ['-n', process.execPath, SCENARIO, '300', '30', '5'], { timeout: 150_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    const result = JSON.parse(output.trim().split('\n').pop()!);
    expect(result).toMatchObject({ hits: 300, stored: 300, distinct: 300, incidents: 5, incidentHits: 300, alerted: 300 });
    // The first hits of each incident go by DNS at once; the bulk by HTTP.
    expect(result.via).toEqual(['dns', 'http']);
  }, 180_000);
});
