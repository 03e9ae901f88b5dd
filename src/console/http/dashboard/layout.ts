/**
 * The page frame: navigation, one stylesheet inlined (no CDN, no internet needed), and a Content
 * Security Policy that allows no script at all and only this exact stylesheet, by its hash. Even
 * if some text escaped escaping, the browser would not run it.
 */
import { createHash } from 'node:crypto';
import { html, SafeHtml } from './html.js';

const CSS = `
:root{--bg:#0f1419;--panel:#171e26;--text:#d8dee6;--muted:#8a96a3;--red:#e5534b;--yellow:#d4a72c;--green:#3fb950;--blue:#58a6ff;--line:#2a333d}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--text)}
header{display:flex;gap:1.5rem;align-items:center;padding:.6rem 1.2rem;background:var(--panel);border-bottom:1px solid var(--line)}
header .brand{font-weight:700;letter-spacing:.04em}header nav a{color:var(--text);margin-right:1rem;text-decoration:none}
header nav a.here{color:var(--blue)}header form{margin-left:auto}
main{padding:1rem 1.2rem;max-width:1400px}h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:var(--panel)}th,td{padding:.35rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
a{color:var(--blue)}code,.mono{font-family:ui-monospace,monospace;font-size:.92em;overflow-wrap:anywhere}
.badge{display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.85em;font-weight:600;border:1px solid var(--line)}
.red{color:#fff;background:var(--red)}.yellow{color:#111;background:var(--yellow)}.whitelisted{color:var(--muted)}
.sev-critical,.sev-high{color:var(--red);font-weight:700}.sev-medium{color:var(--yellow)}.muted{color:var(--muted)}
tr.silent td,tr.failing td{background:#3a1d1d}.ok{color:var(--green)}.bad{color:var(--red);font-weight:700}
form.inline{display:inline}input,textarea,select,button{font:inherit;background:#0b1016;color:var(--text);border:1px solid var(--line);border-radius:4px;padding:.3rem .5rem}
button{background:#21303f;cursor:pointer}button.danger{background:#5a1f1f}
.panel{background:var(--panel);padding:1rem;border:1px solid var(--line);border-radius:6px;margin-bottom:1rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.6rem}.grid .label{display:block;color:var(--muted);font-size:.85em}
.flash{padding:.6rem 1rem;border-radius:4px;margin-bottom:1rem;background:#1d3a24}.flash.error{background:#3a1d1d}
svg.timeline{background:#0b1016;border:1px solid var(--line)}svg.timeline text{fill:var(--muted);font-size:11px}
svg.timeline .axis{stroke:var(--line)}svg.timeline rect.read{fill:var(--blue)}svg.timeline rect.write{fill:var(--red)}
.swatch{display:inline-block;width:.8em;height:.8em;margin:0 .2em 0 .8em}.swatch.read{background:var(--blue)}.swatch.write{background:var(--red)}
.login{max-width:340px;margin:12vh auto}.login input{width:100%;margin:.3rem 0 .8rem}
`;

export const STYLE_HASH = `sha256-${createHash('sha256').update(CSS).digest('base64')}`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src '${STYLE_HASH}'`,
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export interface PageContext {
  title: string;
  /** Navigation entry to highlight. */
  nav?: 'incidents' | 'gateways' | 'tokens' | 'settings' | 'audit';
  csrf?: string;
  flash?: { text: string; error?: boolean } | undefined;
  /** Seconds between automatic reloads (the incident list), none by default. */
  refreshSeconds?: number;
}

const NAV = [
  ['incidents', '/', 'Incidents'],
  ['gateways', '/gateways', 'Gateways'],
  ['tokens', '/tokens', 'Tokens'],
  ['settings', '/settings', 'Settings'],
  ['audit', '/audit', 'Audit log'],
] as const;

export function page(ctx: PageContext, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${ctx.refreshSeconds ? html`<meta http-equiv="refresh" content="${ctx.refreshSeconds}">` : ''}
<link rel="icon" href="data:,"><title>${ctx.title} · Tripline</title><style>${new SafeHtml(CSS)}</style></head>
<body>
${ctx.csrf !== undefined
  ? html`<header><span class="brand">TRIPLINE</span><nav>${NAV.map(([key, href, label]) => html`<a href="${href}" class="${ctx.nav === key ? 'here' : ''}">${label}</a>`)}</nav>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Log out</button></form></header>`
  : ''}
<main>${ctx.flash ? html`<div class="flash ${ctx.flash.error ? 'error' : ''}" role="status">${ctx.flash.text}</div>` : ''}${body}</main>
</body></html>`.value;
}
