/**
 * Can a service bind its port, and if not, who holds it? The holder is found the way ss -p
 * does it: the socket's inode in /proc/net/{tcp,udp}[6], then the process with that inode among
 * its file descriptors. Linux only; elsewhere (or without permission) the holder is unknown.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';

export type Proto = 'tcp' | 'udp';

export interface PortHolder {
  pid: number;
  /** The process name (/proc/PID/comm), e.g. systemd-resolve, named, node. */
  command: string;
}

export type BindResult = { ok: true } | { ok: false; code: string; message: string };

/** Binds and releases at once; nothing is ever sent. */
export function tryBind(host: string, port: number, proto: Proto): Promise<BindResult> {
  return new Promise((resolve) => {
    const failed = (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? 'ERROR', message: err.message });
    if (proto === 'tcp') {
      const server = net.createServer();
      server.once('error', failed);
      server.listen({ host, port, exclusive: true }, () => server.close(() => resolve({ ok: true })));
    } else {
      const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
      socket.once('error', (err) => {
        socket.close();
        failed(err);
      });
      socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve({ ok: true })));
    }
  });
}

/** Processes holding a socket bound to `port` (any address). Empty when they cannot be seen. */
export function portHolders(port: number, proto: Proto, proc = '/proc'): PortHolder[] {
  const inodes = new Set<string>();
  for (const table of [`${proc}/net/${proto}`, `${proc}/net/${proto}6`]) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const localPort = parseInt(fields[1]!.split(':').pop()!, 16);
      // TCP: listening sockets only (0A); UDP sockets have no listen state.
      if (localPort === port && (proto === 'udp' || fields[3] === '0A')) inodes.add(fields[9]!);
    }
  }
  if (inodes.size === 0) return [];
  const holders: PortHolder[] = [];
  for (const pid of processIds(proc)) {
    if (fdLinks(proc, pid).some((link) => inodes.has(/^socket:\[(\d+)\]$/.exec(link)?.[1] ?? ''))) {
      holders.push({ pid, command: comm(proc, pid) });
    }
  }
  return holders;
}

/** True when process `pid` has `file` open (e.g. the gateway's database in this data directory). */
export function holdsFile(pid: number, file: string, proc = '/proc'): boolean {
  let target: string;
  try {
    target = realpathSync(file);
  } catch {
    return false;
  }
  return fdLinks(proc, pid).includes(target);
}

export function describeHolders(holders: readonly PortHolder[]): string {
  if (holders.length === 0) return 'another process (run as root to see which: ss -lntup)';
  return holders.map((h) => `${h.command} (pid ${h.pid})`).join(', ');
}

function processIds(proc: string): number[] {
  try {
    return readdirSync(proc).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
}

function fdLinks(proc: string, pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`${proc}/${pid}/fd`);
  } catch {
    return [];
  }
  const links: string[] = [];
  for (const fd of fds) {
    try {
      links.push(readlinkSync(`${proc}/${pid}/fd/${fd}`));
    } catch {
      // Closed meanwhile.
    }
  }
  return links;
}

function comm(proc: string, pid: number): string {
  try {
    return readFileSync(`${proc}/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
