/**
 * Discord webhook payload: a short `content` line and one embed. Pure. Markdown is neutralised by
 * backslash-escaping every character Discord's markdown gives meaning to (including `@`, `<` and
 * `:`, so `@everyone`, `<@id>`, `<#id>` and `<t:...>` stay text), `allowed_mentions: {parse: []}`
 * makes sure nothing pings even so, and Discord's length limits are kept after escaping.
 */
import { clip, facts, headline, tone } from './describe.js';
import type { IncidentEvent } from './event.js';

// Discord limits: content 2000, embed title 256, description 4096, footer 2048, embed total 6000.
export const CONTENT_MAX = 2000;
export const TITLE_MAX = 256;
export const DESCRIPTION_MAX = 4096;
const COLOR = { danger: 0xd7263d, warning: 0xf5a623, good: 0x2e9e44, neutral: 0x808080 } as const;

export function discordEscape(text: string): string {
  return text.replace(/[\\*_~`|>#\-[\]()<@:!.+=]/g, (c) => `\\${c}`);
}

/** Escaping at most doubles a string: clipping to half the limit first keeps the escapes whole. */
const fit = (text: string, max: number) => discordEscape(clip(text, Math.floor(max / 2)));

export function discordPayload(event: IncidentEvent): object {
  const title = headline(event);
  const lines: string[] = [];
  let length = 0;
  for (const f of facts(event)) {
    const line = `**${f.label}:** ${fit(f.value, 800)}`;
    if (length + line.length + 1 > DESCRIPTION_MAX) break;
    lines.push(line);
    length += line.length + 1;
  }
  return {
    content: fit(title, CONTENT_MAX),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: fit(title, TITLE_MAX),
        description: lines.join('\n'),
        color: COLOR[tone(event)],
        timestamp: event.at,
        footer: { text: `Tripline ${event.type} ${event.id}` },
      },
    ],
  };
}
