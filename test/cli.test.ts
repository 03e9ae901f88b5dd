/**
 * The commands as an operator runs them: built binary, separate processes, outside Modbus
 * clients (Debian mbpoll and nmap), SIGKILL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modbusClient } from './helpers/modbus.js';
import { killCycles } from './helpers/kill-cycles.js';
import { freePort, hasTool, waitFor } from './helpers/net.js';
import { run, runCli, startCli, stopAllCli, type CliProcess } from './helpers/cli.js';
import { ConsoleStore } from '../src/console/store.js';
import { databaseFile } from '../src/console/settings.js';

afterAll(stopAllCli);
import type { StoredHit } from '../src/console/store.js';

const TOKEN = 'cli-test-token-abcdef';
const tmp = () => mkdtempSync(join(tmpdir(), 'tripline-cli-'));

async function hitsAt(httpPort: number): Promise<StoredHit[]> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/hits?limit=10000`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await res.json()) as { hits: StoredHit[] }).hits;
}

describe('tripline demo with outside Modbus clients', () => {
  let demo: CliProcess;
  let httpPort: number;
  let modbusPort: number;
  let data: string;
  let dnsPort: number;

  beforeAll(async () => {
    data = tmp();
    httpPort = await freePort();
    // nmap's modbus-discover runs only against port 502 (or a port it fingerprints as Modbus).
    modbusPort = process.getuid?.() === 0 ? 502 : await freePort();
    dnsPort = await freePort();
    demo = startCli(['demo', '--http-port', String(httpPort), '--modbus-port', String(modbusPort), '--dns-port', String(dnsPort), '--opcua-port', String(await freePort()), '--data', data, '--api-token', TOKEN]);
    // Start-up is a second or two on a quiet machine; a loaded CI runner gets more room.
    await demo.waitForOutput(/Ctrl-C stops the demo/, 30_000);
  }, 40_000);
  afterAll(async () => demo?.kill());

  it('prints the exact mbpoll command, which makes a hit at the console within 2 s', async () => {
    const command = demo.output().match(/mbpoll .*127\.0\.0\.1/)?.[0];
    expect(command).toBe(`mbpoll -m tcp -a 1 -r 1 -c 10 -t 4 -1 -p ${modbusPort} 127.0.0.1`);
    if (!hasTool('mbpoll', 'mbpoll read')) return;
    const r = run('sh', ['-c', command!]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[1\]:\s+180/);
    const hit = await waitFor(async () => (await hitsAt(httpPort)).find((h) => h.functionCode === 3 && h.quantity === 10), 2_000, 'the mbpoll read');
    expect(hit.src.ip).toBe('127.0.0.1');
    // The demo relays over DNS straight to the console's DNS port.
    expect(hit.via).toBe('dns');
    await demo.waitForOutput(/console: hit via dns .*FC3 read holding registers @0 ×10/);
  });

  it('reads back an mbpoll write to a read-write holding register; the hit carries the value', async () => {
    if (!hasTool('mbpoll', 'mbpoll write')) return;
    // Reference 3 (1-based) is register 2: the lag pump start level, read-write.
    const w = run('mbpoll', ['-m', 'tcp', '-a', '1', '-r', '3', '-t', '4', '-p', String(modbusPort), '127.0.0.1', '233']);
    expect(w.status, w.stderr).toBe(0);
    const r = run('mbpoll', ['-m', 'tcp', '-a', '1', '-r', '3', '-c', '1', '-t', '4', '-1', '-p', String(modbusPort), '127.0.0.1']);
    expect(r.stdout).toMatch(/\[3\]:\s+233/);
    const write = await waitFor(async () => (await hitsAt(httpPort)).find((h) => (h.functionCode === 6 || h.functionCode === 16) && h.address === 2), 2_000, 'the write hit');
    expect(write.values).toEqual([233]);
    expect(write.points).toEqual(['LS.LagPumpStartLevel']);
  });

  it('shows the profile identity to nmap modbus-discover, and records its requests', async () => {
    if (!hasTool('nmap', 'nmap modbus-discover')) return;
    // Off port 502 the script needs "+" to run regardless of its port rule.
    const script = modbusPort === 502 ? 'modbus-discover' : '+modbus-discover';
    const r = run('nmap', ['-p', String(modbusPort), '--script', script, '127.0.0.1'], 60_000);
    // nmap escapes the binary server id (01) and run indicator (FF) bytes.
    expect(r.stdout).toContain('Slave ID data: \\x01\\xFFM221 LS07_LIFT_STATION');
    expect(r.stdout).toMatch(/Device identification: Schneider Electric TM221CE24R V1\.6\.2\.6/);
    const hits = await waitFor(async () => {
      const all = await hitsAt(httpPort);
      return all.some((h) => h.functionCode === 17) && all.some((h) => h.functionCode === 43) ? all : undefined;
    }, 2_000, 'FC17 and FC43 hits');
    expect(hits.find((h) => h.functionCode === 43)).toMatchObject({ outcome: 'ok', detail: 'read device id code 1 from object 0' });
  });

  it('lists hits with `tripline hits`', async () => {
    const client = await modbusClient(modbusPort);
    await client.readInputRegisters(0, 2);
    client.close(() => {});
    await waitFor(async () => (await hitsAt(httpPort)).some((h) => h.functionCode === 4) || undefined, 2_000, 'the FC4 hit');
    const r = runCli(['hits', '--data', join(data, 'console')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^TIME\s+GATEWAY\s+SOURCE\s+DECOY/);
    expect(r.stdout).toMatch(/127\.0\.0\.1:\d+\s+water-lift-station\s+1\s+FC4 read input registers @0 ×2\s+ok/);
  });
});

describe('crash safety', () => {
  it('delivers a hit recorded before the gateway was SIGKILLed, after restart', async () => {
    const data = tmp();
    const httpPort = await freePort();
    const modbusPort = await freePort();
    const consoleArgs = ['console', '--data', join(data, 'console'), '--http-host', '127.0.0.1', '--http-port', String(httpPort), '--api-token', TOKEN];
    const gatewayArgs = ['gateway', '--enrollment', join(data, 'gw.json'), '--profile', 'water-lift-station', '--modbus-host', '127.0.0.1', '--modbus-port', String(modbusPort), '--no-opcua', '--data', join(data, 'gateway')];

    let console_ = startCli(consoleArgs);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`).catch(() => undefined))?.ok || undefined, 10_000, 'console up');
    const enrolled = runCli(['console', 'enroll', '--data', join(data, 'console'), '--name', 'kill-test', '--out', join(data, 'gw.json')]);
    expect(enrolled.status, enrolled.stderr).toBe(0);
    await console_.kill();

    // Console down: the hit can only be in the gateway's outbox when the gateway dies.
    let gateway = startCli(gatewayArgs);
    await waitFor(async () => {
      try {
        const client = await modbusClient(modbusPort);
        await client.writeCoil(5, true);
        client.close(() => {});
        return true;
      } catch {
        return undefined;
      }
    }, 10_000, 'a write answered by the gateway');
    await gateway.kill('SIGKILL');
    expect(gateway.child.signalCode).toBe('SIGKILL');

    console_ = startCli(consoleArgs);
    gateway = startCli(gatewayArgs);
    try {
      const hit = await waitFor(async () => (await hitsAt(httpPort).catch(() => []))[0], 15_000, 'the hit after restart');
      expect(hit).toMatchObject({ functionCode: 5, address: 5, values: [true], outcome: 'ok' });
      expect(await hitsAt(httpPort)).toHaveLength(1);
    } finally {
      await gateway.kill();
      await console_.kill();
    }
  });
});

describe('kill test', () => {
  it('loses and duplicates nothing that was answered across SIGKILL cycles under writes from 3 clients', async () => {
    const report = await killCycles({ cycles: 3, clients: 3, runMs: [300, 700] });
    expect(report.answered).toBeGreaterThan(50);
    expect(report).toMatchObject({ missing: 0, duplicated: 0 });
  }, 90_000);
});

describe('command-line errors', () => {
  it('answers a bad flag with one line and a non-zero exit', () => {
    const r = runCli(['gateway', '--enrollment', 'x', '--bogus']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(["error: unknown option '--bogus'"]);
    const p = runCli(['demo', '--modbus-port', 'abc']);
    expect(p.status).not.toBe(0);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    // Values that would reach the system resolver or a broken zone are refused up front.
    for (const args of [['gateway', '--resolver', '127.0.0.1:99999'], ['gateway', '--resolver', ''], ['gateway', '--modbus-host', 'plc.example.net'], ['console', '--domain', 'bad domain'], ['console', '--domain', '']]) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(/^error: option '--[a-z-]+ <[^>]+>' argument '.*' is invalid\. /)]);
    }
  });

  it('answers a bad profile with file, line and key on one line', () => {
    const dir = tmp();
    const profile = join(dir, 'bad.yaml');
    writeFileSync(profile, readFileSync(new URL('../profiles/water-lift-station.yaml', import.meta.url), 'utf8').replace('address: 0 }', 'address: -1 }'));
    const enrollment = join(dir, 'e.json');
    writeFileSync(enrollment, JSON.stringify({ version: 1, gatewayId: 'gw-0123456789abcdef', name: 'x', secret: 'a'.repeat(43), consoleUrl: 'http://127.0.0.1:1' }), { mode: 0o600 });
    const r = runCli(['gateway', '--enrollment', enrollment, '--profile', profile, '--data', dir, '--modbus-port', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^tripline: .*bad\.yaml:\d+:\d+: points\[0\]\.modbus\.address: /)]);
  });

  it('refuses an enrollment file that group or others can read', () => {
    const dir = tmp();
    const enrollment = join(dir, 'e.json');
    writeFileSync(enrollment, '{}');
    chmodSync(enrollment, 0o644);
    const r = runCli(['gateway', '--enrollment', enrollment, '--data', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/readable by group or others .*chmod 600/);
  });

  it('writes enrollment files mode 0600 and refuses a duplicate name', () => {
    const dir = tmp();
    const out = join(dir, 'gw.json');
    expect(runCli(['console', 'enroll', '--data', dir, '--name', 'early', '--out', out]).stderr).toMatch(/no console database in .*start `tripline console --data/);
    new ConsoleStore(databaseFile(dir)).close();
    const args = ['console', 'enroll', '--data', dir, '--name', 'pump-7', '--out', out, '--console-url', 'http://console.example.net:8470'];
    expect(runCli(args).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('"consoleUrl": "http://console.example.net:8470"');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const again = runCli([...args.slice(0, 5), 'pump-9', ...args.slice(6)]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/gw\.json exists .*--force/);
    const twice = runCli([...args, '--force']);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/already enrolled/);
    // A file that cannot be written leaves no half-enrolled gateway behind.
    const bad = runCli(['console', 'enroll', '--data', dir, '--name', 'pump-8', '--out', join(dir, 'missing', 'gw.json'), '--console-url', 'http://127.0.0.1:1']);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^tripline: cannot write .*gw\.json: ENOENT/)]);
    expect(runCli([...args.slice(0, 5), 'pump-8', ...args.slice(6), '--force']).status).toBe(0);
  });

  it('rotates a gateway secret into a new owner-only enrollment file, and revokes, both in the audit log', () => {
    const dir = tmp();
    const first = join(dir, 'gw.json');
    const rotated = join(dir, 'gw-rotated.json');
    new ConsoleStore(databaseFile(dir)).close();
    expect(runCli(['console', 'enroll', '--data', dir, '--name', 'pump-7', '--out', first, '--console-url', 'http://console.example.net:8470']).status).toBe(0);
    expect(runCli(['console', 'rotate', '--data', dir, '--name', 'pump-7', '--out', rotated]).stderr).toMatch(/no console URL known.*--console-url/);
    const r = runCli(['console', 'rotate', '--data', dir, '--name', 'pump-7', '--out', rotated, '--console-url', 'http://console.example.net:8470']);
    expect(r.status, r.stderr).toBe(0);
    const before = JSON.parse(readFileSync(first, 'utf8')) as { gatewayId: string; secret: string };
    const after = JSON.parse(readFileSync(rotated, 'utf8')) as { gatewayId: string; secret: string; consoleUrl: string };
    expect(after.gatewayId).toBe(before.gatewayId);
    expect(after.secret).not.toBe(before.secret);
    expect(statSync(rotated).mode & 0o777).toBe(0o600);
    expect(runCli(['console', 'rotate', '--data', dir, '--name', 'pump-7', '--out', rotated]).stderr).toMatch(/exists.*--force/);
    expect(runCli(['console', 'revoke', '--data', dir, '--name', 'nope']).stderr).toMatch(/no gateway named "nope"/);
    expect(runCli(['console', 'revoke', '--data', dir, '--name', 'pump-7']).status).toBe(0);
    expect(runCli(['console', 'revoke', '--data', dir, '--name', 'pump-7']).stderr).toMatch(/already revoked/);
    const store = new ConsoleStore(databaseFile(dir));
    try {
      expect(store.gateway(before.gatewayId)!.secret).toBe(after.secret);
      expect(store.gateway(before.gatewayId)!.revokedAt).not.toBeNull();
      const actions = (store.db.prepare('SELECT actor, action FROM audit_log ORDER BY seq').all() as { actor: string; action: string }[]).map((a) => a.action);
      expect(actions).toEqual(['gateway.rotate', 'gateway.revoke']);
    } finally {
      store.close();
    }
  });

  it.each([[[]], [['console']], [['console', 'enroll']], [['gateway']], [['demo']], [['hits']]])('prints help for %j', (args) => {
    const r = runCli([...args, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tripline/);
  });
});
