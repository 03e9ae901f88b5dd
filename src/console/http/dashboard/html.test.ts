import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeHtml, html } from './html.js';
import { registersAsText } from './format.js';
import { timelineChart } from './chart.js';

describe('dashboard HTML', () => {
  it('escapes every interpolated value, in text and in attributes, unless it is already html', () => {
    const evil = `<img src=x onerror="alert('1')">&\``;
    expect(html`<td title="${evil}">${evil}</td>`.value).toBe(
      '<td title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;&#96;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;&#96;</td>',
    );
    expect(html`<ul>${[1, 2].map((n) => html`<li>${n}</li>`)}</ul>`.value).toBe('<ul><li>1</li><li>2</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  it('shows bidirectional controls by name instead of letting them reorder the page', () => {
    expect(escapeHtml('invoice\u202Efdp.exe')).toBe('invoice[U+202E]fdp.exe');
  });

  it('leaves no markup character unescaped, whatever the string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => !/[<>"'`]/.test(escapeHtml(s)) && !/&(?!amp;|lt;|gt;|quot;|#39;|#96;)/.test(escapeHtml(s))));
  });

  it('reads registers packed with printable ASCII as text, and nothing else', () => {
    expect(registersAsText([0x3c73, 0x6372, 0x6970, 0x743e])).toBe('<script>');
    expect(registersAsText([0x4142, 0x4300])).toBe('ABC');
    expect(registersAsText([200, 300])).toBeNull();
    expect(registersAsText([0x4142])).toBeNull();
    expect(registersAsText([0x4142, 'x'])).toBeNull();
  });

  it('draws reads and writes as separate bars, scaled to the busiest bucket', () => {
    const t0 = Date.parse('2026-12-03T10:00:00Z');
    const points = [
      ...Array.from({ length: 9 }, (_, i) => ({ at: new Date(t0 + i * 100).toISOString(), write: false })),
      { at: new Date(t0 + 30_000).toISOString(), write: true },
    ];
    const svg = timelineChart(points).value;
    expect(svg).toContain('>9</text>');
    expect(svg.match(/<rect class="write"[^>]*height="(\d+\.\d)"/g)!.some((r) => !r.endsWith('height="0.0"'))).toBe(true);
    expect(timelineChart([]).value).toContain('No hit detail');
  });
});
