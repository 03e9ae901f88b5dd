/**
 * Incidents at the console carry a class and ATT&CK for ICS techniques: a lone identification read
 * is yellow, a write red, and the plant's own scanner (whitelisted) is marked, whatever it does.
 */
import { describe, expect, it } from 'vitest';
import { startStack } from './helpers/stack.js';
import { waitFor } from './helpers/net.js';
import net from 'node:net';

function send(port: number, localAddress: string, hex: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => socket.write(Buffer.from(hex.replace(/\s+/g, ''), 'hex')));
    socket.once('data', () => (socket.destroy(), resolve()));
    socket.once('error', reject);
  });
}

interface View { src: { ip: string }; classification: string; techniques: { id: string }[] }

describe('incident classification at the console', () => {
  it('marks a lone FC 43 read yellow, a write red, and the whitelisted scanner whitelisted', async () => {
    const stack = await startStack({ whitelist: ['127.0.0.99/32'] });
    try {
      const port = stack.gateway.modbusPort;
      await send(port, '127.0.0.7', '0001 0000 0005 01 2B 0E 01 00');
      await send(port, '127.0.0.8', '0002 0000 0006 01 06 0000 00C8');
      await send(port, '127.0.0.99', '0003 0000 0006 01 06 0001 0032');
      const incidents = await waitFor(async () => {
        const list = ((await (await stack.api('/api/v1/incidents')).json()) as { incidents: View[] }).incidents;
        return list.length >= 3 ? list : undefined;
      }, 10_000, 'three incidents');
      const by = (ip: string) => incidents.find((i) => i.src.ip === ip)!;
      expect(by('127.0.0.7')).toMatchObject({ classification: 'yellow', techniques: [{ id: 'T0888' }] });
      expect(by('127.0.0.8').classification).toBe('red');
      expect(by('127.0.0.8').techniques.map((t) => t.id)).toEqual(['T0855', 'T1692.001', 'T0836']);
      expect(by('127.0.0.99').classification).toBe('whitelisted');
      // Each hit carries the techniques it shows on its own.
      const hits = (await (await stack.api('/api/v1/hits')).json()) as { hits: { src: { ip: string }; techniques: string[] }[] };
      expect(hits.hits.find((h) => h.src.ip === '127.0.0.7')!.techniques).toEqual(['T0888']);
      expect(hits.hits.find((h) => h.src.ip === '127.0.0.8')!.techniques).toEqual(['T0855', 'T1692.001', 'T0836']);
    } finally {
      await stack.stop();
    }
  }, 30_000);
});
