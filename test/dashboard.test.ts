/**
 * The dashboard in a real browser (Debian chromium via playwright-core): log in, see a Modbus
 * write appear as an incident, open it with its timeline chart, acknowledge it. Attacker-chosen
 * text (an OPC UA client named `<img src=x onerror=alert(1)>`, registers spelling `<script>`)
 * must show as text and run nothing: the test listens for dialogs, page errors and console errors.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { chromium, type ConsoleMessage, type Dialog } from 'playwright-core';
import { OPCUAClient, AttributeIds } from 'node-opcua';
import { ADMIN_PASSWORD, startStack } from './helpers/stack.js';
import { waitFor } from './helpers/net.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(process.cwd(), 'test-output');
const XSS_NAME = '<img src=x onerror=alert(1)>';
const SCRIPT_TEXT = '<script>alert(1)</script>';

/** FC 16 writing `text` as registers, two characters each, from a chosen loopback address. */
function writeText(port: number, localAddress: string, address: number, text: string): Promise<Buffer> {
  const bytes = Buffer.from(text.length % 2 ? text + '\0' : text, 'latin1');
  const pdu = Buffer.concat([Buffer.from([0x10, address >> 8, address & 0xff, 0, bytes.length / 2, bytes.length]), bytes]);
  const adu = Buffer.concat([Buffer.from([0x13, 0x37, 0, 0, (pdu.length + 1) >> 8, (pdu.length + 1) & 0xff, 1]), pdu]);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => socket.write(adu));
    socket.once('data', (reply) => (socket.destroy(), resolve(reply)));
    socket.once('error', reject);
  });
}

async function opcuaClientNamed(port: number, applicationName: string): Promise<void> {
  const client = OPCUAClient.create({ applicationName, endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
  await client.connect(`opc.tcp://127.0.0.1:${port}`);
  try {
    const session = await client.createSession();
    await session.read({ nodeId: 'i=2256', attributeId: AttributeIds.Value });
    await session.close();
  } finally {
    await client.disconnect();
  }
}

describe('dashboard', () => {
  it.skipIf(!existsSync(CHROMIUM))('shows a new incident with its chart and written values, and runs no attacker-supplied markup', async () => {
    const stack = await startStack({ opcua: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    const dialogs: string[] = [];
    const errors: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('dialog', (d: Dialog) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m: ConsoleMessage) => m.type() === 'error' && errors.push(m.text()));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));

      // Not logged in: sent to the login page.
      await page.goto(`${stack.console.url}/`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('input[name=password]', 'not the password');
      await page.click('button[type=submit]');
      await expect(page.locator('.flash.error').textContent()).resolves.toContain('Wrong user name or password');
      // That page came with a 401, which the browser logs as an error: expected, and only that.
      expect(errors).toEqual(['Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
      errors.length = 0;
      await page.fill('input[name=password]', ADMIN_PASSWORD);
      await page.click('button[type=submit]');
      expect(new URL(page.url()).pathname).toBe('/');
      await expect(page.locator('#incidents').textContent()).resolves.toContain('No incidents');

      // The intruder: a Modbus write spelling a script tag, and an OPC UA client named like an img tag.
      const reply = await writeText(stack.gateway.modbusPort, '127.0.0.5', 100, SCRIPT_TEXT);
      expect(reply[7]).toBe(0x10);
      await opcuaClientNamed(stack.gateway.opcua!.port, XSS_NAME);

      const row = page.locator('tr', { hasText: '127.0.0.5' });
      await waitFor(async () => {
        await page.reload();
        return (await row.count()) > 0 && (await page.locator('#incidents tr', { hasText: '127.0.0.1' }).count()) > 0 ? true : undefined;
      }, 20_000, 'both incidents on the dashboard');
      await expect(row.locator('.badge').textContent()).resolves.toBe('red');
      await expect(row.textContent()).resolves.toContain('T0855');
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'dashboard-incidents.png'), fullPage: true });

      await row.locator('a').first().click();
      expect(page.url()).toMatch(/\/incidents\/\d+$/);
      await page.locator('svg.timeline rect.write').first().waitFor();
      expect(await page.locator('svg.timeline rect.write').count()).toBeGreaterThan(0);
      const writes = await page.locator('#writes').textContent();
      expect(writes).toContain(`as text: "${SCRIPT_TEXT}"`);
      expect(writes).toContain('FC16 @ 100');
      await page.screenshot({ path: join(OUTPUT, 'dashboard-incident.png'), fullPage: true });
      process.stdout.write(`dashboard screenshots in ${OUTPUT}\n`);

      // Acknowledge with a note, from the page.
      await page.fill('textarea[name=note]', 'on it <b>now</b>');
      await page.click('button[value=acknowledged]');
      await expect(page.locator('.flash').textContent()).resolves.toContain('acknowledged');
      await expect(page.locator('#triage-note').textContent()).resolves.toBe('on it <b>now</b>');
      await page.goto(`${stack.console.url}/audit`);
      await expect(page.locator('#audit').textContent()).resolves.toContain('incident.acknowledge');

      // The OPC UA client's name is shown, as text.
      await page.goto(`${stack.console.url}/`);
      await page.locator('#incidents tr', { hasText: '127.0.0.1' }).locator('a').first().click();
      await expect(page.locator('#attributes').textContent()).resolves.toContain(XSS_NAME);

      // A canary URL token fetched with a hostile user agent: its incident names the memo, and the
      // user agent shows as text.
      const token = stack.console.tokens.tokens.create('url', 'Wiki page: SCADA VPN <b>');
      expect((await fetch(`${stack.console.url}/t/${token.id}`, { headers: { 'user-agent': XSS_NAME } })).status).toBe(200);
      await page.goto(`${stack.console.url}/`);
      const tokenRow = page.locator('#incidents tr', { hasText: 'canary token' });
      await expect(tokenRow.textContent()).resolves.toContain('canary token "Wiki page: SCADA VPN <b>"');
      await tokenRow.locator('a').first().click();
      const tokenIncidentId = page.url().split('/').at(-1)!;
      await expect(page.locator('#attributes').textContent()).resolves.toContain(XSS_NAME);
      expect(await page.locator('svg.timeline rect.read').count()).toBeGreaterThan(0);

      // The tokens page lists it; disabling it there is audited.
      await page.goto(`${stack.console.url}/tokens`);
      const listed = page.locator(`#tokens tr[data-token="${token.id}"]`);
      await expect(listed.textContent()).resolves.toContain('Wiki page: SCADA VPN <b>');
      await listed.locator('button', { hasText: 'Disable' }).click();
      await expect(page.locator('.flash').textContent()).resolves.toContain('Canary token disabled');
      await expect(listed.textContent()).resolves.toContain('disabled');
      await page.goto(`${stack.console.url}/audit`);
      await expect(page.locator('#audit').textContent()).resolves.toContain(`canary-token:${token.id}`);
      await page.goto(`${stack.console.url}/incidents/${tokenIncidentId}`);

      // Nothing the attacker wrote became markup anywhere.
      for (const path of ['/', '/audit', '/gateways', '/settings', '/tokens', `/incidents/${tokenIncidentId}`]) {
        await page.goto(`${stack.console.url}${path}`);
        expect(await page.locator('main script, img').count()).toBe(0);
      }
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await stack.stop();
    }
  }, 90_000);
});
