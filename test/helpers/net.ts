import net from 'node:net';
import { spawnSync } from 'node:child_process';

/** A port nothing listens on right now (the OS picks it, then we release it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when a Debian tool is on PATH; otherwise prints why the test is skipped. */
export function hasTool(tool: string, why: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (!found) console.warn(`SKIP ${why}: ${tool} is not installed (apt-get install ${tool}; .ci/run installs it)`);
  return found;
}

/** Sends raw bytes on a fresh connection; resolves with everything received until the peer closes or the wait ends. */
export function rawExchange(port: number, bytes: Buffer, waitMs = 1_000): Promise<{ data: Buffer; closedByPeer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByPeer = false;
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => (closedByPeer = true));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? (closedByPeer = true) : reject(err)));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closedByPeer });
    });
  });
}
