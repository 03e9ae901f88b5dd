/**
 * Delivery under random loss, both directions, on every path between gateway and console: 1,000
 * hits at 30% and at 50% loss. Two latencies, from the decoy's answer: "detail" until the hit
 * itself is stored at the console, "alerted" until the console's incident counts it (through the
 * gateway's summaries or the hit). Also DNS-only (HTTP unreachable), where detail waits by
 * design and only the alert latency counts. Needs root (unshare -n, nft).
 * Run: `npm run build && npx vite-node bench/lossy-link.ts [--hits 1000]`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const i = process.argv.indexOf('--hits');
const hits = i > 0 ? process.argv[i + 1]! : '1000';
const scenario = fileURLToPath(new URL('../test/scenarios/lossy-link.mjs', import.meta.url));
for (const mode of ['both', 'dns-only']) {
  for (const loss of ['30', '50']) {
    const out = execFileSync('unshare', ['-n', process.execPath, scenario, hits, loss, '5', mode], { encoding: 'utf8', timeout: 600_000 });
    process.stdout.write(out.trim().split('\n').pop() + '\n');
  }
}
