/**
 * An incident's timeline as inline SVG, rendered on the server: hits per time bucket, writes
 * stacked over reads, so the shape of an attack (a probe, a sweep, a burst of writes) shows at a
 * glance without any script or external library. Pure.
 */
import { html, type SafeHtml } from './html.js';

export interface TimelinePoint {
  at: string;
  write: boolean;
}

const WIDTH = 720;
const HEIGHT = 160;
const PAD = { left: 40, right: 10, top: 10, bottom: 28 };
const MAX_BUCKETS = 60;

export function timelineChart(points: readonly TimelinePoint[]): SafeHtml {
  const times = points.map((p) => Date.parse(p.at)).filter(Number.isFinite);
  if (times.length === 0) return html`<p class="muted">No hit detail received yet (summaries arrive first; hits follow).</p>`;
  const start = Math.min(...times);
  const end = Math.max(...times);
  // At least ten seconds wide: a lone probe shows as one narrow bar, not a wall.
  const span = Math.max(end - start, 10_000);
  const buckets = Math.min(MAX_BUCKETS, Math.max(1, Math.ceil(span / 1_000)));
  const reads = new Array<number>(buckets).fill(0);
  const writes = new Array<number>(buckets).fill(0);
  points.forEach((p) => {
    const t = Date.parse(p.at);
    if (!Number.isFinite(t)) return;
    const i = Math.min(buckets - 1, Math.floor(((t - start) / span) * buckets));
    (p.write ? writes : reads)[i]!++;
  });
  const peak = Math.max(1, ...reads.map((r, i) => r + writes[i]!));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const barW = plotW / buckets;
  const y = (n: number) => (n / peak) * plotH;
  const bars = reads.map((r, i) => {
    const x = PAD.left + i * barW;
    const w = writes[i]!;
    const bucketStart = new Date(start + (i * span) / buckets).toISOString();
    return html`<g><title>${bucketStart}: ${r} read(s), ${w} write(s)</title><rect class="read" x="${x.toFixed(1)}" y="${(PAD.top + plotH - y(r)).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${y(r).toFixed(1)}"/><rect class="write" x="${x.toFixed(1)}" y="${(PAD.top + plotH - y(r) - y(w)).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${y(w).toFixed(1)}"/></g>`;
  });
  return html`<svg class="timeline" role="img" aria-label="hits over time" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">
  <line class="axis" x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotH}"/>
  <text x="${PAD.left - 4}" y="${PAD.top + 8}" text-anchor="end">${peak}</text>
  <text x="${PAD.left - 4}" y="${PAD.top + plotH}" text-anchor="end">0</text>
  ${bars}
  <text x="${PAD.left}" y="${HEIGHT - 8}">${new Date(start).toISOString().slice(11, 19)}Z</text>
  <text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">${new Date(end).toISOString().slice(11, 19)}Z (${Math.round(span / 1000)} s)</text>
</svg>
<p class="legend"><span class="swatch read"></span> reads and other requests <span class="swatch write"></span> writes and calls</p>`;
}
