/**
 * One million hostile packets at the console's DNS port (700k UDP, 300k TCP), paced by its
 * answers to valid queries; reports packets/s and whether every probe was answered.
 * Run: `npx vite-node bench/dns-fuzz.ts [--packets 1000000] [--seed 1]`.
 */
import { readFileSync } from 'node:fs';
import { startStack, ZONE } from '../test/helpers/stack.js';
import { fuzzDns } from '../test/helpers/dns-fuzz.js';
import { gatewayLabel } from '../src/relay/dns/envelope.js';
import { numberArg } from './lib/args.js';

const arg = numberArg;
const total = arg('packets', 1_000_000);
const stack = await startStack({ dns: true });
const { gatewayId } = JSON.parse(readFileSync(stack.enrollmentFile, 'utf8')) as { gatewayId: string };
const started = Date.now();
const report = await fuzzDns({ port: stack.console.dnsPort!, zone: ZONE, gwLabel: gatewayLabel(gatewayId), udp: Math.round(total * 0.7), tcp: Math.round(total * 0.3), seed: arg('seed', 1) });
const seconds = (Date.now() - started) / 1000;
const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
await stack.stop();
process.stdout.write(JSON.stringify({ ...report, seconds, packetsPerSecond: Math.round((report.udpSent + report.tcpSent) / seconds), rssMiB: rss, allProbesAnswered: report.probes === report.probesAnswered }) + '\n');
process.exit(report.probes === report.probesAnswered ? 0 : 1);
