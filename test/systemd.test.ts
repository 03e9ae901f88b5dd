/**
 * The shipped systemd units: `systemd-analyze verify` finds nothing to say about them, and
 * `systemd-analyze security --offline` rates each at an exposure of 2.5 or less.
 *
 * verify checks that ExecStart's program exists; the units name /usr/bin/node (Debian's and
 * NodeSource's path), so the copies verified here name this machine's node instead. Nothing
 * else is changed, so every directive is still checked.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './helpers/cli.js';

const ANALYZE = '/usr/bin/systemd-analyze';
const UNITS = ['tripline-gateway.service', 'tripline-console.service'];
const unitDir = fileURLToPath(new URL('../systemd/', import.meta.url));
const missing = !existsSync(ANALYZE);
if (missing) console.warn(`skipping systemd unit checks: ${ANALYZE} is missing (apt-get install systemd)`);

describe.skipIf(missing)('systemd units', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-units-'));
  for (const unit of UNITS) {
    const text = readFileSync(join(unitDir, unit), 'utf8');
    writeFileSync(join(dir, unit), text.replaceAll('/usr/bin/node ', `${process.execPath} `));
  }

  it.each(UNITS)('%s passes systemd-analyze verify without a warning', (unit) => {
    expect(readFileSync(join(unitDir, unit), 'utf8')).toMatch(/^ExecStart=\/usr\/bin\/node /m);
    const result = run(ANALYZE, ['verify', join(dir, unit)]);
    // Unknown or misspelt directives are only warnings (exit 0): any output fails the test.
    expect(result.stderr + result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(UNITS)('%s has an exposure of 2.5 or less', (unit) => {
    const result = run(ANALYZE, ['security', '--offline=true', '--no-pager', join(unitDir, unit)]);
    const exposure = /Overall exposure level for \S+: ([\d.]+)/.exec(result.stdout)?.[1];
    expect(exposure, result.stdout + result.stderr).toBeDefined();
    expect(Number(exposure)).toBeLessThanOrEqual(2.5);
    // The same bound, as systemd itself enforces it (exit status non-zero above the threshold).
    expect(run(ANALYZE, ['security', '--offline=true', '--threshold=25', join(unitDir, unit)]).status).toBe(0);
  });

  it.each(UNITS)('%s keeps what the runtime needs: JIT memory, and the capability for low ports', (unit) => {
    const text = readFileSync(join(unitDir, unit), 'utf8');
    expect(text).toMatch(/^MemoryDenyWriteExecute=no$/m);
    expect(text).toMatch(/^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    expect(text).not.toMatch(/^PrivateUsers=yes$/m);
    expect(text).toMatch(/^User=tripline$/m);
  });

  it('hands the gateway its enrollment as a credential', () => {
    const text = readFileSync(join(unitDir, 'tripline-gateway.service'), 'utf8');
    expect(text).toMatch(/^LoadCredential=enrollment:\S+$/m);
    expect(text).toMatch(/--enrollment \$\{CREDENTIALS_DIRECTORY\}\/enrollment/);
  });
});
