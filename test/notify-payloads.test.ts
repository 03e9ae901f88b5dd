/**
 * Chat and email payloads carry attacker strings (written values, OPC UA user and application
 * names, DNS labels, decoy names) as text only: no mention, link, markup or header can come out of
 * them, and each service's length limits hold.
 */
import { describe, expect, it } from 'vitest';
import { slackPayload } from '../src/console/notify/slack.js';
import { teamsPayload } from '../src/console/notify/teams.js';
import { discordPayload, discordEscape } from '../src/console/notify/discord.js';
import { emailBody, emailSubject } from '../src/console/notify/email.js';
import { visible } from '../src/console/notify/describe.js';
import { gatewayEvent } from '../src/console/notify/event.js';
import { formatCef } from '../src/console/notify/cef.js';
import { parseCef } from './helpers/cef.js';
import { HOSTILE_TEXT, hostileEvent } from './helpers/hostile-event.js';

/** Every string in a JSON value, with the key it sits under. */
function strings(value: unknown, key = ''): { key: string; text: string }[] {
  if (typeof value === 'string') return [{ key, text: value }];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, k));
  return [];
}

const events = [hostileEvent(), hostileEvent({ classification: 'yellow', severity: 'high' }, 'incident.escalated'), gatewayEvent('g1', 'gateway.silent', { id: 'gw-1', name: `north ${HOSTILE_TEXT}` }, 4, '2026-12-03T10:00:00.000Z', '2026-12-03T10:00:00.000Z')];

describe('Slack payload', () => {
  it('escapes &, < and > in every text, so no <!channel>, <@id> or <url|text> survives', () => {
    for (const event of events) {
      const payload = slackPayload(event) as { text: string; mrkdwn: boolean; blocks: { type: string; text?: { type: string; text: string; emoji: boolean }; fields?: { type: string; text: string; emoji: boolean }[]; elements?: { type: string }[] }[] };
      expect(payload.mrkdwn).toBe(false);
      for (const { text } of strings(payload)) {
        expect(text).not.toMatch(/[<>]/);
        expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      }
      // Block Kit text objects are all plain_text with emoji off: no mrkdwn, no :shortcode: rendering.
      const objects = payload.blocks.flatMap((b) => [b.text, ...(b.fields ?? []), ...(b.elements ?? [])]).filter(Boolean) as { type: string; emoji: boolean; text: string }[];
      expect(objects.every((o) => o.type === 'plain_text' && o.emoji === false)).toBe(true);
      const header = payload.blocks.find((b) => b.type === 'header')!;
      expect(header.text!.text.length).toBeLessThanOrEqual(150);
      for (const b of payload.blocks) {
        expect((b.fields ?? []).length).toBeLessThanOrEqual(10);
        for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
      }
    }
  });

  it('shows the attacker text itself, made visible: line breaks as \\n, URLs defanged', () => {
    const payload = slackPayload(hostileEvent());
    const texts = strings(payload).map((s) => s.text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    const users = texts.find((t) => t.startsWith('Users: '))!;
    expect(users).toContain('<!channel> <!here|here>');
    expect(users).toContain('line1\\nSeverity: low\\r\\nBcc: victim@example.com\\u0000\\u001b[31m\\u2028end');
    expect(users).toContain('https[:]//evil.example');
    expect(texts.join('\n')).not.toMatch(/https:\/\/evil/);
  });
});

describe('Teams payload', () => {
  it('is an Adaptive Card message whose every text is a TextRun (no Markdown) and has no mention entities', () => {
    for (const event of events) {
      const payload = teamsPayload(event) as { type: string; attachments: { contentType: string; content: { type: string; version: string; msteams: object; body: { type: string; inlines: { type: string; text: string }[] }[] } }[] };
      expect(payload.type).toBe('message');
      const card = payload.attachments[0]!;
      expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
      expect(card.content.msteams).not.toHaveProperty('entities');
      expect(card.content.body.every((b) => b.type === 'RichTextBlock' && b.inlines.every((i) => i.type === 'TextRun'))).toBe(true);
      expect(JSON.stringify(payload).length).toBeLessThan(28_000);
      // Strings outside TextRuns are ours: type names, schema, fallback headline (plain by definition).
      const texts = card.content.body.flatMap((b) => b.inlines.map((i) => i.text));
      for (const text of texts) expect(text).not.toMatch(/[\r\n\u0000\u001b\u2028]/);
    }
  });

  it('carries the hostile value verbatim (made visible) in a plain TextRun', () => {
    const payload = teamsPayload(hostileEvent());
    const runs = strings(payload).filter((s) => s.key === 'text').map((s) => s.text);
    expect(runs).toContain(visible(`admin ${HOSTILE_TEXT}, opcua-app=<@1>`));
  });
});

/** Discord markdown characters that must never appear unescaped in attacker-derived text. */
const DISCORD_SPECIAL = /[\\*_~`|>#\-[\]()<@:!.+=]/;

function unescapeDiscord(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[++i];
      if (next === undefined || !DISCORD_SPECIAL.test(next)) throw new Error(`dangling escape at ${i}`);
      out += next;
    } else {
      if (DISCORD_SPECIAL.test(c)) throw new Error(`unescaped ${JSON.stringify(c)} at ${i} in ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
      out += c;
    }
  }
  return out;
}

describe('Discord payload', () => {
  it('pings no one, and escapes every markdown and mention character in attacker text', () => {
    for (const event of events) {
      const payload = discordPayload(event) as { content: string; allowed_mentions: { parse: unknown[] }; embeds: { title: string; description: string; footer: { text: string } }[] };
      expect(payload.allowed_mentions).toEqual({ parse: [] });
      unescapeDiscord(payload.content);
      const embed = payload.embeds[0]!;
      unescapeDiscord(embed.title);
      for (const line of embed.description.split('\n')) {
        const m = /^\*\*([A-Za-z ]+):\*\* (.*)$/.exec(line);
        expect(m, line).not.toBeNull();
        unescapeDiscord(m![2]!);
      }
    }
  });

  it('keeps within Discord limits: content 2000, title 256, description 4096, embed 6000', () => {
    const huge = hostileEvent({ decoy: '@'.repeat(10_000), users: ['<'.repeat(10_000)], writes: Array.from({ length: 20 }, () => '*'.repeat(2_000)) });
    const payload = discordPayload(huge) as { content: string; embeds: { title: string; description: string; footer: { text: string } }[] };
    const embed = payload.embeds[0]!;
    expect(payload.content.length).toBeLessThanOrEqual(2000);
    expect(embed.title.length).toBeLessThanOrEqual(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.title.length + embed.description.length + embed.footer.text.length).toBeLessThanOrEqual(6000);
    unescapeDiscord(payload.content);
    unescapeDiscord(embed.title);
  });

  it('reads back exactly what was escaped', () => {
    expect(unescapeDiscord(discordEscape(HOSTILE_TEXT))).toBe(HOSTILE_TEXT);
  });
});

describe('email', () => {
  it('has a subject without CR, LF or any control character, and a body where hostile line breaks stay visible', () => {
    for (const event of events) {
      const subject = emailSubject(event);
      expect(subject).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(subject.length).toBeLessThanOrEqual(200);
      expect(subject.startsWith('[Tripline] ')).toBe(true);
      const body = emailBody(event);
      expect(body.split('\n').some((l) => /^(Bcc|Severity): (victim|low)/.test(l))).toBe(false);
      expect(body).not.toMatch(/[\r\u0000\u001b\u2028]/);
    }
    expect(emailBody(hostileEvent())).toContain('line1\\nSeverity: low\\r\\nBcc: victim@example.com');
  });
});

describe('syslog CEF for gateway events', () => {
  it('names silent, recovered and revoked gateways, and parses with a hostile gateway name', () => {
    const names = (['gateway.silent', 'gateway.recovered', 'gateway.revoked'] as const).map((type) => {
      const cef = parseCef(formatCef(gatewayEvent('g1', type, { id: 'gw-1', name: `north ${HOSTILE_TEXT}` }, 4, '2026-12-03T10:00:00.000Z', '2026-12-03T10:00:05.000Z'), 'console-1', '0.1.0'));
      expect(cef.signature).toBe(type);
      expect(cef.extension.dvchost).toContain('north @everyone @here <@123456789012345678> <@&42>');
      return cef.name;
    });
    expect(names).toEqual(['Gateway silent', 'Gateway heard again', 'Gateway revoked']);
  });
});
