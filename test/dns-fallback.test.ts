/**
 * DNS blocked, restored and lossy, in a private network namespace with nftables rules (the
 * scenario script runs under `unshare -n`, so nothing on the host is touched).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hasTool } from './helpers/net.js';

const SCENARIO = fileURLToPath(new URL('./scenarios/dns-fallback.mjs', import.meta.url));

function canRun(): boolean {
  if (process.getuid?.() !== 0) {
    console.warn('SKIP DNS fallback under nftables: needs root (CAP_NET_ADMIN) for unshare -n and nft; CI runs as root');
    return false;
  }
  return hasTool('nft', 'DNS fallback under nftables') && hasTool('unshare', 'DNS fallback under nftables');
}

describe('relay when the DNS path fails', () => {
  it('falls back to HTTP within seconds when DNS is dropped, returns to DNS when it is back, loses nothing at 30% loss', async () => {
    if (!canRun()) return;
    const output = await new Promise<string>((resolve, reject) =>
      execFile('unshare', ['-n', process.execPath, SCENARIO], { timeout: 90_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    const result = JSON.parse(output.trim().split('\n').pop()!);
    expect(result.open.via).toBe('dns');
    expect(result.blocked.via).toBe('http');
    expect(result.blocked.ms).toBeLessThan(5_000);
    expect(result.restored).toMatchObject({ via: 'dns' });
    expect(result.lossy).toEqual({ arrived: 20, stored: 20, distinct: 20, viaDns: expect.any(Number) });
    expect(result.outbox).toBe(0);
  }, 120_000);
});
