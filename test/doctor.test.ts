/**
 * `tripline doctor` against a real console and gateway on loopback, through small resolvers
 * that misbehave as site resolvers do. The doctor runs as the compiled CLI (`npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runAsync } from './helpers/cli.js';
import { freePort } from './helpers/net.js';
import { startStack, ZONE, type Stack } from './helpers/stack.js';
import { startTestResolver, type ResolverMode, type TestResolver } from './helpers/test-resolver.js';

const doctor = (args: string[]) => runAsync(process.execPath, [CLI, 'doctor', ...args, '--timeout', '1'], 30_000);

describe('tripline doctor', () => {
  let stack: Stack;
  const resolvers: TestResolver[] = [];
  const resolver = async (mode: ResolverMode) => {
    const r = await startTestResolver(ZONE, stack.console.dnsPort!, mode);
    resolvers.push(r);
    return `127.0.0.1:${r.port}`;
  };
  const gatewayArgs = (resolverAddress: string, enrollment = stack.enrollmentFile) => [
    'gateway', '--enrollment', enrollment, '--data', join(stack.dir, 'gateway'), '--modbus-host', '127.0.0.1',
    '--modbus-port', String(stack.gateway.modbusPort), '--no-opcua', '--resolver', resolverAddress,
  ];
  const consoleArgs = (resolverAddress: string) => [
    'console', '--data', join(stack.dir, 'console'), '--http-host', '127.0.0.1', '--http-port', String(stack.console.httpPort),
    '--dns-host', '127.0.0.1', '--dns-port', String(stack.console.dnsPort), '--resolver', resolverAddress,
  ];

  beforeAll(async () => {
    stack = await startStack({ dns: true, resolverPort: (dnsPort) => dnsPort });
  });
  afterAll(async () => {
    await Promise.all(resolvers.map((r) => r.close()));
    await stack?.stop();
  });

  it('passes on a healthy stack: both ends, the DNS path with names of 253 characters, HTTP, the clock', async () => {
    const via = await resolver({ kind: 'forward' });
    const gateway = await doctor(gatewayArgs(via));
    expect(gateway.stdout).toMatch(/ok {4}dns relay +the console acknowledged authenticated test messages via resolver 127\.0\.0\.1:\d+ \(names of \d+ and 25\d characters\)/);
    expect(gateway.stdout).toMatch(/ok {4}Modbus port .* held by this gateway/);
    expect(gateway.stdout).toMatch(/ok {4}http relay/);
    expect(gateway.stdout).toMatch(/ok {4}clock/);
    expect(gateway.stdout).toContain('all checks passed.');
    expect(gateway.status, gateway.stdout + gateway.stderr).toBe(0);

    const console_ = await doctor(consoleArgs(via));
    expect(console_.stdout).toMatch(/ok {4}dns port +127\.0\.0\.1:\d+\/udp is held by this console/);
    expect(console_.stdout).toMatch(/ok {4}delegation +canary\.example\.net SOA and NS \(ns1\.canary\.example\.net, serial \d+\) seen via resolver/);
    expect(console_.stdout).toContain('all checks passed.');
    expect(console_.status, console_.stdout + console_.stderr).toBe(0);
    // The probes were acknowledged and stored nowhere.
    expect(await stack.hits()).toEqual([]);
  });

  it('names a resolver that blackholes the zone; with HTTP down as well, exits non-zero', async () => {
    const via = await resolver({ kind: 'blackhole' });
    const degraded = await doctor(gatewayArgs(via));
    expect(degraded.stdout).toMatch(/WARN {2}dns relay +resolver 127\.0\.0\.1:\d+ answers other queries but drops every query in canary\.example\.net .*alerts still reach the console over HTTP/);
    expect(degraded.stdout).toMatch(/→ the resolver blackholes the canary zone/);
    expect(degraded.status).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'tripline-doctor-'));
    const enrollment = join(dir, 'enrollment.json');
    const json = JSON.parse(readFileSync(stack.enrollmentFile, 'utf8'));
    writeFileSync(enrollment, JSON.stringify({ ...json, consoleUrl: `http://127.0.0.1:${await freePort()}` }), { mode: 0o600 });
    const cut = await doctor(gatewayArgs(via, enrollment));
    expect(cut.stdout).toMatch(/FAIL {2}dns relay +.*drops every query/);
    expect(cut.stdout).toMatch(/FAIL {2}http relay +http:\/\/127\.0\.0\.1:\d+: connection refused/);
    expect(cut.stdout).toContain('2 problem(s) would stop alerts');
    expect(cut.status).toBe(1);

    const console_ = await doctor(consoleArgs(via));
    expect(console_.stdout).toMatch(/FAIL {2}delegation +no answer via resolver/);
    expect(console_.status).toBe(1);
  });

  it('names a resolver that answers short names and SERVFAILs long ones', async () => {
    const via = await resolver({ kind: 'servfail-long', longerThan: 160 });
    const result = await doctor(gatewayArgs(via));
    expect(result.stdout).toMatch(/dns relay +resolver 127\.0\.0\.1:\d+ passes 1\d\d-character names in canary\.example\.net but not 25\d-character ones \(SERVFAIL\)/);
    expect(result.stdout).toMatch(/→ the resolver or a DNS firewall strips or blocks long names/);
  });

  it("names the process holding the console's DNS port", async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    try {
      const via = await resolver({ kind: 'forward' });
      const result = await doctor([
        'console', '--data', mkdtempSync(join(tmpdir(), 'tripline-doctor-')), '--http-host', '127.0.0.1', '--http-port', String(await freePort()),
        '--dns-host', '127.0.0.1', '--dns-port', String(holder.address().port), '--domain', ZONE, '--resolver', via,
      ]);
      expect(result.stdout).toMatch(new RegExp(`FAIL {2}dns port +127\\.0\\.0\\.1:${holder.address().port}/udp is in use by node.*\\(pid ${process.pid}\\)`));
      expect(result.stdout).toMatch(/→ stop that service, or choose another port with --dns-port/);
      expect(result.status).toBe(1);
    } finally {
      holder.close();
    }
  });

  it('refuses an enrollment file readable by others, as the gateway would', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tripline-doctor-')), 'enrollment.json');
    copyFileSync(stack.enrollmentFile, file);
    chmodSync(file, 0o644);
    const result = await doctor(gatewayArgs('127.0.0.1:9', file));
    expect(result.stdout).toMatch(/FAIL {2}enrollment +.*mode 0644/);
    expect(result.stdout).toContain(`→ chmod 600 ${file}`);
    expect(result.status).toBe(1);
  });

  it('measures clock skew against the console: a warning past a minute, a failure past a day ahead', async () => {
    const via = `127.0.0.1:${stack.console.dnsPort}`;
    const hour = await doctor([...gatewayArgs(via), '--clock-offset', '3600']);
    expect(hour.stdout).toMatch(/WARN {2}clock +this gateway's clock is (359\d|36\d\d) s ahead of the console's/);
    expect(hour.stdout).toMatch(/→ turn on time sync/);
    expect(hour.status).toBe(0);
    const behind = await doctor([...gatewayArgs(via), '--clock-offset', '-600']);
    expect(behind.stdout).toMatch(/WARN {2}clock +this gateway's clock is (59\d|60\d) s behind/);
    const days = await doctor([...gatewayArgs(via), '--clock-offset', '200000']);
    expect(days.stdout).toMatch(/FAIL {2}clock +.*refuses incident summaries dated more than a day ahead/);
    expect(days.status).toBe(1);
  });
});
