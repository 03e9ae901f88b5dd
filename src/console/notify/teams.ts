/**
 * Microsoft Teams message carrying an Adaptive Card, as Workflows ("post to a channel when a
 * webhook request is received") and incoming webhooks accept. Pure. Attacker strings go only into
 * `TextRun`s, which Adaptive Cards render without Markdown, and the card has no `msteams.entities`,
 * so nothing in them can become formatting, a link or a mention.
 */
import { clip, facts, headline, tone } from './describe.js';
import type { IncidentEvent } from './event.js';

const COLOR = { danger: 'Attention', warning: 'Warning', good: 'Good', neutral: 'Default' } as const;
// Teams rejects messages over ~28 KB: values are clipped well below that.
const VALUE_MAX = 1000;

export function teamsPayload(event: IncidentEvent): object {
  const title = clip(headline(event), 300);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          fallbackText: title,
          msteams: { width: 'Full' },
          body: [
            { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: title, weight: 'Bolder', size: 'Medium', color: COLOR[tone(event)] }] },
            ...facts(event).map((f) => ({
              type: 'RichTextBlock',
              spacing: 'None',
              inlines: [
                { type: 'TextRun', text: `${f.label}: `, weight: 'Bolder' },
                { type: 'TextRun', text: clip(f.value, VALUE_MAX) },
              ],
            })),
            { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: `Tripline ${event.type} ${event.id} at ${event.at}`, isSubtle: true, size: 'Small' }] },
          ],
        },
      },
    ],
  };
}
