/**
 * Delivery under random loss, both directions, DNS only: 1,000 hits at 30% and at 50% loss,
 * p50/p99 from recording at the gateway to storing at the console. Needs root (unshare -n, nft).
 * Run: `npm run build && npx vite-node bench/lossy-link.ts [--hits 1000]`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const i = process.argv.indexOf('--hits');
const hits = i > 0 ? process.argv[i + 1]! : '1000';
const scenario = fileURLToPath(new URL('../test/scenarios/lossy-link.mjs', import.meta.url));
for (const loss of ['30', '50']) {
  const out = execFileSync('unshare', ['-n', process.execPath, scenario, hits, loss, '5'], { encoding: 'utf8', timeout: 600_000 });
  process.stdout.write(out.trim().split('\n').pop() + '\n');
}
