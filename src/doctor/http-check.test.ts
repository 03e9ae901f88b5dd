import { describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeHttp } from './http-check.js';

describe('HTTP check', () => {
  it('answers from the status line and headers, without reading an endless body', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let sent = 0;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const probe = await probeHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 4_000);
      expect(probe).toMatchObject({ ok: true, status: 200 });
      expect(probe.ok && probe.rttMs).toBeLessThan(2_000);
      expect(sent).toBeLessThan(64 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
