/** The dashboard's pages: pure functions of what the console knows, to HTML. */
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { timelineChart, type TimelinePoint } from './chart.js';
import { ago, classBadge, counts, severityText, time, writeTarget, writtenValues } from './format.js';
import type { IncidentView, GatewayView } from '../../views.js';
import type { AuditEntry } from '../../auth/audit.js';
import type { WhitelistEntry } from '../../whitelist-store.js';
import type { DestinationStatus } from '../../notify/notifier.js';
import type { ApiTokenInfo } from '../../auth/api-tokens.js';
import type { TokenView } from '../../tokens/view.js';

type Flash = { text: string; error?: boolean } | undefined;

const csrfField = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

export function loginPage(opts: { loginCsrf: string; next: string; error?: string; hint?: string }): string {
  return page(
    { title: 'Log in', flash: opts.error ? { text: opts.error, error: true } : undefined },
    html`<div class="login panel"><h1>Tripline console</h1>
<form method="post" action="/login">
<input type="hidden" name="_login" value="${opts.loginCsrf}"><input type="hidden" name="next" value="${opts.next}">
<label>User<input name="username" value="admin" autocomplete="username" required></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button></form>
${opts.hint ? html`<p class="muted">${opts.hint}</p>` : ''}</div>`,
  );
}

export function incidentsPage(ctx: { csrf: string; flash?: Flash; filter: string }, incidents: readonly IncidentView[]): string {
  const filters = ['open', 'new', 'acknowledged', 'resolved', 'all'];
  return page(
    { title: 'Incidents', nav: 'incidents', csrf: ctx.csrf, flash: ctx.flash, refreshSeconds: 10 },
    html`<h1>Incidents</h1>
<p>${filters.map((f) => html`<a href="/?triage=${f}" class="${f === ctx.filter ? 'here' : ''}">${f}</a> `)}</p>
<table id="incidents"><thead><tr><th>#</th><th>Severity</th><th>Class</th><th>ATT&amp;CK for ICS</th><th>Gateway</th><th>Decoy</th><th>Source</th><th>First seen</th><th>Last seen</th><th>Hits</th><th>Requests</th><th>Triage</th></tr></thead>
<tbody>${incidents.length === 0 ? html`<tr><td colspan="12" class="muted">No incidents.</td></tr>` : incidents.map(incidentRow)}</tbody></table>`,
  );
}

/** What was touched: a decoy's name, or a canary token's memo (where it was planted). */
function decoyText(i: IncidentView): string {
  if (i.kind === 'gateway-silent') return 'gateway silent';
  if (i.kind === 'token') return `canary token "${typeof i.detail.memo === 'string' ? i.detail.memo : i.decoy ?? ''}"`;
  return i.decoy ?? '–';
}

function incidentRow(i: IncidentView): SafeHtml {
  return html`<tr data-incident="${i.id}">
<td><a href="/incidents/${i.id}">${i.id}</a></td><td>${severityText(i.severity)}</td><td>${classBadge(i.classification)}</td>
<td class="mono">${i.techniques.map((t) => t.id).join(' ')}</td><td>${i.gatewayName ?? i.gatewayId}</td><td>${decoyText(i)}</td>
<td class="mono">${i.src?.ip ?? '–'}</td><td>${time(i.firstSeen)}</td><td>${time(i.lastSeen)}</td><td class="num">${i.hitCount}</td>
<td class="mono">${counts(i.counts)}</td><td>${i.triage}</td></tr>`;
}

export function incidentPage(
  ctx: { csrf: string; flash?: Flash },
  i: IncidentView,
  timeline: readonly TimelinePoint[],
  attributes: readonly { key: string; value: string; count: number }[],
  history: readonly AuditEntry[],
): string {
  return page(
    { title: `Incident ${i.id}`, nav: 'incidents', csrf: ctx.csrf, flash: ctx.flash },
    html`<h1>Incident ${i.id}: ${i.kind === 'gateway-silent' ? 'gateway silent' : `${decoyText(i)} touched by ${i.src?.ip ?? 'unknown'}`}</h1>
<div class="panel grid">
<div><span class="label">Severity</span>${severityText(i.severity)}</div><div><span class="label">Class</span>${classBadge(i.classification)}</div>
<div><span class="label">Gateway</span>${i.gatewayName ?? i.gatewayId}</div><div><span class="label">Decoy</span>${i.decoy ?? '–'}</div>
<div><span class="label">Source</span><code>${i.src?.ip ?? '–'}</code></div><div><span class="label">Hits</span>${i.hitCount}${i.hitsReceived < i.hitCount ? html` <span class="muted">(${i.hitsReceived} in detail so far)</span>` : ''}</div>
<div><span class="label">First seen</span>${time(i.firstSeen)}</div><div><span class="label">Last seen</span>${time(i.lastSeen)}</div>
<div><span class="label">Triage</span>${i.triage}${i.triageBy ? html` <span class="muted">by ${i.triageBy}, ${time(i.triageAt)}</span>` : ''}</div>
</div>
${i.triageNote ? html`<div class="panel"><span class="muted">Note:</span> <span id="triage-note">${i.triageNote}</span></div>` : ''}
<h2>ATT&amp;CK for ICS</h2>
${i.techniques.length ? html`<ul>${i.techniques.map((t) => html`<li><code>${t.id}</code> ${t.name}</li>`)}</ul>` : html`<p class="muted">none</p>`}
<h2>Timeline</h2>
<div id="timeline">${timelineChart(timeline)}</div>
<h2>Requests</h2><p class="mono">${counts(i.counts) || '–'}</p>
${attributes.length
  ? html`<h2>Clients and identities seen</h2><table id="attributes"><thead><tr><th>Attribute</th><th>Value</th><th>Hits</th></tr></thead><tbody>${attributes.map(
      (a) => html`<tr><td>${a.key}</td><td class="mono">${a.value}</td><td class="num">${a.count}</td></tr>`,
    )}</tbody></table>`
  : ''}
${i.users.length ? html`<h2>User names tried</h2><ul>${i.users.map((u) => html`<li><code>${u}</code></li>`)}</ul>` : ''}
<h2>Written values (${i.writes.length})</h2>
${i.writes.length
  ? html`<table id="writes"><thead><tr><th>When</th><th>Target</th><th>Values</th><th>Outcome</th></tr></thead><tbody>${i.writes.map(
      (w) => html`<tr><td>${time(w.at)}</td><td class="mono">${writeTarget(w)}</td><td class="mono">${writtenValues(w)}</td><td>${w.outcome}</td></tr>`,
    )}</tbody></table>`
  : html`<p class="muted">No writes.</p>`}
<h2>Triage</h2>
<div class="panel">
<form method="post" action="/incidents/${i.id}/triage">${csrfField(ctx.csrf)}
<label>Note <textarea name="note" rows="2" cols="60" maxlength="2000"></textarea></label><br>
${i.triage !== 'acknowledged' ? html`<button name="to" value="acknowledged" type="submit">Acknowledge</button>` : ''}
<button name="to" value="resolved" type="submit">Resolve</button>
${i.triage !== 'new' ? html`<button name="to" value="new" type="submit">Reopen</button>` : ''}
</form></div>
<h2>History</h2>
${history.length ? auditTable(history) : html`<p class="muted">No actions yet.</p>`}
<h2>Other detail</h2><pre class="mono">${JSON.stringify(i.detail, null, 2)}</pre>`,
  );
}

export function gatewaysPage(ctx: { csrf: string; flash?: Flash }, gateways: readonly GatewayView[]): string {
  return page(
    { title: 'Gateways', nav: 'gateways', csrf: ctx.csrf, flash: ctx.flash, refreshSeconds: 30 },
    html`<h1>Gateways</h1>
<table id="gateways"><thead><tr><th>Name</th><th>Status</th><th>Last heartbeat</th><th>Via</th><th>Channels</th><th>Outbox</th><th>Version</th><th></th></tr></thead>
<tbody>${gateways.length === 0 ? html`<tr><td colspan="8" class="muted">No gateways enrolled: <code>tripline console enroll --name NAME --out FILE</code></td></tr>` : gateways.map((g) => gatewayRow(ctx.csrf, g))}</tbody></table>`,
  );
}

function gatewayRow(csrf: string, g: GatewayView): SafeHtml {
  const hb = g.heartbeat;
  const channels = hb
    ? Object.entries(hb.channels).map(([name, c]) => {
        const healthy = c.lastSuccessAt && (!c.lastFailureAt || c.lastSuccessAt >= c.lastFailureAt);
        return html`<div><span class="${healthy ? 'ok' : 'bad'}">${name}</span> ${healthy ? `ok ${ago(c.lastSuccessAt)}` : `failing${c.lastError ? `: ${c.lastError}` : ''}`}</div>`;
      })
    : html`<span class="muted">–</span>`;
  const cls = g.status === 'silent' || g.status === 'revoked' ? 'silent' : '';
  return html`<tr class="${cls}" data-gateway="${g.name}"><td>${g.name}<div class="muted mono">${g.id}</div></td>
<td class="${g.status === 'ok' ? 'ok' : g.status === 'never-heard' ? 'muted' : 'bad'}">${g.status}${g.silentSince ? html` since ${time(g.silentSince)}` : ''}</td>
<td>${time(g.heartbeatAt)} <span class="muted">${g.heartbeatAt ? ago(g.heartbeatAt) : ''}</span></td><td>${g.heartbeatVia ?? '–'}</td>
<td>${channels}</td><td class="num">${hb ? hb.outboxDepth : '–'}${hb?.oldestPendingAt ? html`<div class="muted">oldest ${ago(hb.oldestPendingAt)}</div>` : ''}</td><td>${hb?.version ?? '–'}</td>
<td>${g.revokedAt
  ? html`<span class="muted">revoked ${time(g.revokedAt)}</span>`
  : html`<form class="inline" method="post" action="/gateways/${g.id}/rotate">${csrfField(csrf)}<button type="submit" title="new secret now; downloads the new enrollment file">Rotate secret</button></form>
<form class="inline" method="post" action="/gateways/${g.id}/revoke">${csrfField(csrf)}<button class="danger" type="submit">Revoke</button></form>`}</td></tr>`;
}

export function settingsPage(
  ctx: { csrf: string; flash?: Flash },
  data: { whitelist: readonly WhitelistEntry[]; destinations: readonly DestinationStatus[]; apiTokens: readonly ApiTokenInfo[]; allowCidrs: readonly string[]; tls: boolean },
): string {
  return page(
    { title: 'Settings', nav: 'settings', csrf: ctx.csrf, flash: ctx.flash },
    html`<h1>Settings</h1>
<h2>Scanner whitelist</h2>
<p class="muted">Incidents from these networks (the plant's own vulnerability scanners) are recorded and shown as whitelisted, and never notified.</p>
<table id="whitelist"><thead><tr><th>Network</th><th>Note</th><th>Added</th><th></th></tr></thead><tbody>
${data.whitelist.length === 0 ? html`<tr><td colspan="4" class="muted">Empty.</td></tr>` : ''}
${data.whitelist.map(
  (w) => html`<tr><td class="mono">${w.cidr}</td><td>${w.note ?? ''}</td><td>${w.addedBy} ${time(w.addedAt)}</td>
<td>${w.fixed ? '' : html`<form class="inline" method="post" action="/settings/whitelist/remove">${csrfField(ctx.csrf)}<input type="hidden" name="cidr" value="${w.cidr}"><button type="submit">Remove</button></form>`}</td></tr>`,
)}</tbody></table>
<form method="post" action="/settings/whitelist">${csrfField(ctx.csrf)}<input name="cidr" placeholder="10.20.0.0/16" required> <input name="note" placeholder="note, e.g. Tenable scanner"> <button type="submit">Add</button></form>
<h2>Notification destinations</h2>
<table id="destinations"><thead><tr><th>Destination</th><th>Queued</th><th>Delivered</th><th>State</th></tr></thead><tbody>
${data.destinations.length === 0 ? html`<tr><td colspan="4" class="muted">None configured (console flag <code>--notify</code>; see docs/notifications.md).</td></tr>` : ''}
${data.destinations.map(
  (d) => html`<tr class="${d.attention ? 'failing' : ''}"><td class="mono">${d.name}${d.filter ? html`<div class="muted">only ${d.filter}</div>` : ''}</td><td class="num">${d.pending}</td><td class="num">${d.delivered}</td>
<td>${d.failingSince
  ? html`<span class="${d.attention ? 'bad' : 'muted'}">${d.permanent ? 'refused (fix the destination; alerts stay queued)' : 'failing'} since ${time(d.failingSince)}</span> <span class="mono">${d.lastError ?? ''}</span>`
  : html`<span class="ok">delivering</span>`}</td></tr>`,
)}</tbody></table>
<h2>API tokens</h2>
<table id="api-tokens"><thead><tr><th>Name</th><th>Created</th><th>Last used</th><th></th></tr></thead><tbody>
<tr><td>default</td><td colspan="3" class="muted">the console's own token, in its data directory (<code>api-token</code>)</td></tr>
${data.apiTokens.map(
  (t) => html`<tr><td>${t.name}</td><td>${time(t.createdAt)}</td><td>${time(t.lastUsedAt)}</td>
<td>${t.revokedAt ? html`<span class="muted">revoked ${time(t.revokedAt)}</span>` : html`<form class="inline" method="post" action="/settings/api-tokens/${t.id}/revoke">${csrfField(ctx.csrf)}<button class="danger" type="submit">Revoke</button></form>`}</td></tr>`,
)}</tbody></table>
<form method="post" action="/settings/api-tokens">${csrfField(ctx.csrf)}<input name="name" placeholder="siem-pull" required pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}"> <button type="submit">Create token</button></form>
<h2>Access</h2>
<p>Dashboard and API reachable from: <span class="mono">${data.allowCidrs.length ? data.allowCidrs.join(', ') : 'any network (no --allow-cidr)'}</span>. TLS: ${data.tls ? 'on' : html`<span class="bad">off</span> (use --tls-cert/--tls-key or a TLS proxy)`}.</p>`,
  );
}

export function auditPage(ctx: { csrf: string }, entries: readonly AuditEntry[]): string {
  return page({ title: 'Audit log', nav: 'audit', csrf: ctx.csrf }, html`<h1>Audit log</h1>${entries.length ? auditTable(entries) : html`<p class="muted">Empty.</p>`}`);
}

function auditTable(entries: readonly AuditEntry[]): SafeHtml {
  return html`<table id="audit"><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>Detail</th><th>From</th></tr></thead><tbody>${entries.map(
    (e) => html`<tr><td>${time(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td class="mono">${e.target ?? ''}</td><td>${e.detail ?? ''}</td><td class="mono">${e.srcIp ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

export function notFoundPage(ctx: { csrf: string }, what: string): string {
  return page({ title: 'Not found', csrf: ctx.csrf }, html`<h1>Not found</h1><p>${what}</p>`);
}

export function tokensPage(ctx: { csrf: string; flash?: Flash }, tokens: readonly TokenView[]): string {
  return page(
    { title: 'Canary tokens', nav: 'tokens', csrf: ctx.csrf, flash: ctx.flash },
    html`<h1>Canary tokens</h1>
<p class="muted">Created with <code>tripline token new</code>, <code>tripline stub stamp</code> or <code>POST /api/v1/tokens</code>. A disabled token still records its hits, and notifies no one.</p>
<table id="tokens"><thead><tr><th>Memo (where it is planted)</th><th>Kind</th><th>Name or URL</th><th>State</th><th>Created</th><th></th></tr></thead><tbody>
${tokens.length === 0 ? html`<tr><td colspan="6" class="muted">No tokens.</td></tr>` : ''}
${tokens.map(
  (t) => html`<tr data-token="${t.id}"><td>${t.memo}${t.planted ? html`<div class="muted">${t.planted}</div>` : ''}</td><td>${t.kind}</td>
<td class="mono">${t.hostname ?? t.url ?? t.id}</td>
<td class="${t.status === 'active' || t.status === 'grace' ? 'ok' : 'muted'}">${t.status}${t.status === 'grace' ? html` <span class="muted">until ${time(t.graceUntil)}</span>` : ''}${t.rotationDue ? html` <span class="bad">rotation due</span>` : ''}</td>
<td>${time(t.createdAt)}</td>
<td>${t.status === 'active' || t.status === 'disabled'
  ? html`<form class="inline" method="post" action="/tokens/${t.id}/${t.status === 'disabled' ? 'enable' : 'disable'}">${csrfField(ctx.csrf)}<button type="submit">${t.status === 'disabled' ? 'Enable' : 'Disable'}</button></form>`
  : ''}</td></tr>`,
)}</tbody></table>`,
  );
}
