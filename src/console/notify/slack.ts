/**
 * Slack incoming-webhook payload (Block Kit). Pure. Every text is `plain_text` with emoji off, the
 * fallback `text` is sent with `mrkdwn: false`, and `&`, `<`, `>` are escaped everywhere (Slack's
 * control characters), so no attacker string can form a mention (`<!channel>`), a link or markup.
 */
import { facts, headline } from './describe.js';
import type { IncidentEvent } from './event.js';

/** Slack's three control characters, as its docs say to escape them. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Block Kit limits: header 150 chars, field 2000 chars, 10 fields a section.
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const FIELDS_PER_SECTION = 10;

/** Escaped, then clipped to Slack's limit without cutting an entity in half. */
export function slackText(text: string, max: number): string {
  const escaped = slackEscape(text);
  if (escaped.length <= max) return escaped;
  return `${escaped.slice(0, max - 1).replace(/&[a-z]*$/, '')}…`;
}

const plain = (text: string, max: number) => ({ type: 'plain_text', text: slackText(text, max), emoji: false });

export function slackPayload(event: IncidentEvent): object {
  const title = headline(event);
  const fields = facts(event).map((f) => plain(`${f.label}: ${f.value}`, FIELD_MAX));
  const sections = [];
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) sections.push({ type: 'section', fields: fields.slice(i, i + FIELDS_PER_SECTION) });
  return {
    text: slackText(title, 1000),
    mrkdwn: false,
    blocks: [
      { type: 'header', text: plain(title, HEADER_MAX) },
      ...sections,
      { type: 'context', elements: [plain(`Tripline ${event.type} ${event.id} at ${event.at}`, FIELD_MAX)] },
    ],
  };
}
