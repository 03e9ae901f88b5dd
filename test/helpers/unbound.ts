/** Debian's unbound as a real recursive resolver on loopback, with a stub zone pointing at the console. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './net.js';
import { ResolverClient } from '../../src/relay/dns/resolver-client.js';

export interface Unbound {
  port: number;
  log(): string;
  stop(): Promise<void>;
}

export async function startUnbound(zone: string, consoleDnsPort: number): Promise<Unbound> {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-unbound-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'unbound.conf'),
    `server:
  interface: 127.0.0.1
  port: ${port}
  do-ip6: no
  do-daemonize: no
  use-syslog: no
  logfile: ""
  verbosity: 1
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${join(dir, 'unbound.pid')}"
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  # What real site resolvers do: walk the name label by label, randomise letter case.
  qname-minimisation: yes
  use-caps-for-id: yes
  module-config: "iterator"
  domain-insecure: "${zone}"
stub-zone:
  name: "${zone}"
  stub-addr: 127.0.0.1@${consoleDnsPort}
`,
  );
  const child = spawn('unbound', ['-d', '-c', join(dir, 'unbound.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const client = new ResolverClient({ host: '127.0.0.1', port }, 300);
  try {
    // Ready when it answers (NODATA for the apex A is an answer).
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`unbound exited ${child.exitCode}: ${out}`);
      return client.queryA(zone).then(() => true, () => undefined);
    }, 10_000, 'unbound to answer');
  } finally {
    client.close();
  }
  return {
    port,
    log: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
