/** A loopback HTTP receiver for webhook tests: records every POST, answers a status per path. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface Receiver {
  port: number;
  received: Received[];
  on(path: string): Received[];
  close(): Promise<void>;
}

export async function httpReceiver(statusFor: (path: string) => number = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statusFor(req.url ?? '');
      if (status < 300) received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    on: (path) => received.filter((r) => r.path === path),
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
