/**
 * Acceptance run of the kill test: 20 SIGKILL cycles of the gateway under writes from 4 clients.
 * Run: `npm run build && npx vite-node bench/kill-cycles.ts [--cycles 20] [--clients 4]`.
 */
import { killCycles } from '../test/helpers/kill-cycles.js';
import { numberArg } from './lib/args.js';

const arg = numberArg;
const report = await killCycles({ cycles: arg('cycles', 20), clients: arg('clients', 4), runMs: [400, 1_200] });
process.stdout.write(JSON.stringify(report) + '\n');
process.exit(report.missing === 0 && report.duplicated === 0 ? 0 : 1);
