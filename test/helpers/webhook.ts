/** A JSON webhook receiver on loopback: collects every event POSTed to it. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncidentEvent } from '../../src/console/notify/event.js';

export interface WebhookReceiver {
  url: string;
  events: IncidentEvent[];
  close(): void;
}

/** Listens on `port` (0: any free one). */
export async function webhookReceiver(port = 0): Promise<WebhookReceiver> {
  const events: IncidentEvent[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      events.push(JSON.parse(body) as IncidentEvent);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, events, close: () => server.close() };
}
