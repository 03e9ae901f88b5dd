import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portHolders, tryBind } from './port-check.js';

/** A /proc with one process holding one socket, as the kernel lays it out. */
function fakeProc(entries: { pid: number; comm: string; inode: number; port: number; proto: 'udp' | 'tcp'; state: string }[]): string {
  const proc = mkdtempSync(join(tmpdir(), 'tripline-proc-'));
  mkdirSync(join(proc, 'net'));
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  for (const proto of ['udp', 'tcp', 'udp6', 'tcp6']) {
    const rows = entries
      .filter((e) => e.proto === proto)
      .map((e, i) => `  ${i}: 3500007F:${e.port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 ${e.state} 00000000:00000000 00:00000000 00000000   991        0 ${e.inode} 2 0000000000000000 0\n`);
    writeFileSync(join(proc, 'net', proto), header + rows.join(''));
  }
  for (const [fd, e] of entries.entries()) {
    mkdirSync(join(proc, String(e.pid), 'fd'), { recursive: true });
    writeFileSync(join(proc, String(e.pid), 'comm'), `${e.comm}\n`);
    symlinkSync(`socket:[${e.inode}]`, join(proc, String(e.pid), 'fd', String(10 + fd)));
  }
  return proc;
}

describe('who holds a port', () => {
  it("finds systemd-resolved's stub listener on 127.0.0.53:53 from /proc", () => {
    const proc = fakeProc([
      { pid: 512, comm: 'systemd-resolve', inode: 18211, port: 53, proto: 'udp', state: '07' },
      { pid: 512, comm: 'systemd-resolve', inode: 18212, port: 53, proto: 'tcp', state: '0A' },
      { pid: 700, comm: 'sshd', inode: 9999, port: 22, proto: 'tcp', state: '0A' },
    ]);
    expect(portHolders(53, 'udp', proc)).toEqual([{ pid: 512, command: 'systemd-resolve' }]);
    expect(portHolders(53, 'tcp', proc)).toEqual([{ pid: 512, command: 'systemd-resolve' }]);
    expect(portHolders(5353, 'udp', proc)).toEqual([]);
  });

  it('counts only listening TCP sockets, not connections from that port', () => {
    const proc = fakeProc([{ pid: 9, comm: 'client', inode: 5, port: 502, proto: 'tcp', state: '01' }]);
    expect(portHolders(502, 'tcp', proc)).toEqual([]);
  });

  it('finds this process on the real /proc when it holds the port', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      expect(await tryBind('127.0.0.1', port, 'tcp')).toMatchObject({ ok: false, code: 'EADDRINUSE' });
      expect(portHolders(port, 'tcp').map((h) => h.pid)).toContain(process.pid);
    } finally {
      server.close();
    }
    expect(await tryBind('127.0.0.1', port, 'tcp')).toEqual({ ok: true });
  });
});
