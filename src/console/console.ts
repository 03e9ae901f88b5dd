/** Assembles a console: data dir → store → HTTP app → listening. */
import type { Logger } from 'pino';
import { ConsoleStore } from './store.js';
import { lockDataDir } from '../db/dir-lock.js';
import { ConsoleMetrics } from './metrics.js';
import { GatewayWatch } from './heartbeats.js';
import { IncidentTracker } from './incidents.js';
import { Whitelist } from '../core/classify.js';
import { Notifier } from './notify/notifier.js';
import { destinationSpecs } from './notify/spec.js';
import { createDestination } from './notify/destinations.js';
import type { IncidentEvent } from './notify/event.js';
import { buildApp, type RouteInfo } from './http/app.js';
import { AdminAccount, ADMIN_USER } from './auth/admin.js';
import { AuditLog } from './auth/audit.js';
import { SessionStore } from './auth/sessions.js';
import { ApiTokens } from './auth/api-tokens.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { WhitelistStore } from './whitelist-store.js';
import { SocActions } from './soc-actions.js';
import { DnsIngest } from './dns/ingest.js';
import { DnsResponder } from './dns/responder.js';
import { DnsServer } from './dns/server.js';
import { normaliseZone } from './dns/zone.js';
import { TokenAlerts } from './tokens/token-alerts.js';
import { DnsTokenLookups } from './tokens/dns-lookups.js';
import { databaseFile, ensureDataDir, loadOrCreateApiToken, storeApiToken, writePublicSettings } from './settings.js';
import type { Hit } from '../core/hit.js';
import type { TokenHit } from './tokens/token-store.js';

const VERSION = '0.1.0';

export interface ConsoleOptions {
  dataDir: string;
  httpHost: string;
  httpPort: number;
  /** The URL gateways use; defaults to this listener's address. */
  consoleUrl?: string;
  apiToken?: string;
  /** Canary zones served by the authoritative DNS (none: no DNS). */
  dnsZones?: string[];
  dnsHost?: string;
  dnsPort?: number;
  /** Address the zone's apex and ns1 resolve to, for delegation. */
  publicIp?: string;
  /** Heartbeat intervals a gateway may miss before it is reported silent (default 3). */
  silentAfterMissed?: number;
  /** The plant's own scanners (CIDRs): their incidents are recorded and marked, never notified. */
  whitelist?: string[];
  /**
   * Where incidents are sent: `specs` as `--notify` takes them (docs/notifications.md); `webhooks`
   * (JSON) and `syslog` (CEF over udp://, tcp:// or tls://) as `--webhook` and `--syslog` take them.
   */
  notify?: { webhooks?: string[]; syslog?: string[]; specs?: string[] };
  /** The admin password (from --admin-password-file or TRIPLINE_ADMIN_PASSWORD); generated on first start if absent. */
  adminPassword?: string;
  /** Networks allowed to reach the dashboard and API (`--allow-cidr`); gateway ingest and /healthz stay open. */
  allowCidrs?: string[];
  /** Serve HTTPS: PEM certificate chain and key. */
  tls?: { cert: Buffer; key: Buffer };
  /** The base URL token URLs are printed under (default: the console URL); e.g. a reverse proxy's. */
  publicUrl?: string;
  /** Header a reverse proxy in front of the token path puts the client's address in (e.g. X-Forwarded-For). */
  realIpHeader?: string;
  log: Logger;
  onNewHits?: (hits: Hit[], gatewayId: string, via: string) => void;
  /** Told of each canary token hit stored. */
  onTokenHit?: (hit: TokenHit) => void;
}

export interface RunningConsole {
  url: string;
  httpPort: number;
  apiToken: string;
  /** Where the token is stored (owner-only). */
  apiTokenFile: string;
  /** The DNS port, when DNS is served. */
  dnsPort: number | null;
  store: ConsoleStore;
  metrics: ConsoleMetrics;
  notifier: Notifier;
  audit: AuditLog;
  /** Set when this start generated the admin password: the file holding it. */
  generatedPasswordFile: string | null;
  /** Every HTTP route and who may use it. */
  routes: RouteInfo[];
  tokens: TokenAlerts;
  /** Gateway liveness; `watch.revoked(id)` tells the SOC (and MQTT's retained status) of a revocation. */
  watch: GatewayWatch;
  stop(): Promise<void>;
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  ensureDataDir(options.dataDir);
  const lock = lockDataDir(options.dataDir, 'console');
  let store: ConsoleStore;
  try {
    store = new ConsoleStore(databaseFile(options.dataDir));
  } catch (err) {
    lock.release();
    throw err;
  }
  const metrics = new ConsoleMetrics();
  // The token in force is always the one in the data dir, so `tripline hits --data` finds it.
  const { token: apiToken, file: apiTokenFile } = options.apiToken ? storeApiToken(options.dataDir, options.apiToken) : loadOrCreateApiToken(options.dataDir);
  const destinations = destinationSpecs(options.notify ?? {}).map((spec) => createDestination(spec, VERSION));
  const notifier = new Notifier(store.db, destinations, options.log.child({ component: 'notify' }));
  const onEvent = (event: IncidentEvent) => {
    metrics.incidents.inc({ type: event.type, classification: event.incident.classification ?? 'none' });
    notifier.enqueue(event);
  };
  const watch = new GatewayWatch(store, options.log.child({ component: 'watch' }), { missedIntervals: options.silentAfterMissed ?? 3, onEvent });
  const whitelist = new WhitelistStore(store.db, options.whitelist ?? []);
  const incidents = new IncidentTracker(store, undefined, whitelist, onEvent);
  const tokens = new TokenAlerts(store, options.log.child({ component: 'tokens' }), onEvent, (hit) => {
    metrics.tokenHits.inc({ channel: hit.channel, alerted: String(hit.alerted) });
    options.onTokenHit?.(hit);
  }, undefined, (channel) => metrics.tokenHitsLimited.inc({ channel }));
  const lookups = new DnsTokenLookups((l) => {
    try {
      tokens.record(l.token, { at: l.at, channel: 'dns', src: { ip: l.src }, dns: { name: l.name, queryType: l.queryType, queryTypes: l.queryTypes, queries: l.queries, ...(l.data !== undefined ? { data: l.data } : {}) } });
    } catch (err) {
      options.log.error({ err, token: l.token }, 'storing a token hit failed');
    }
  });
  const accept = { store, metrics, log: options.log, onNewHits: options.onNewHits ?? (() => {}), recordHeartbeat: watch.recordHeartbeat, incidents };
  const zones = (options.dnsZones ?? []).map(normaliseZone);
  const admin = new AdminAccount(store.db);
  const audit = new AuditLog(store.db);
  const passwordOutcome = await admin.ensure(options.dataDir, options.adminPassword);
  // A new password ends every session: whoever was logged in with the old one is out.
  if (passwordOutcome === 'set') new SessionStore(store.db).destroyAll();
  if (passwordOutcome === 'set') audit.record({ actor: 'console', action: 'password.set', target: `user:${ADMIN_USER}`, detail: 'from --admin-password-file or TRIPLINE_ADMIN_PASSWORD' });
  const generatedPasswordFile = typeof passwordOutcome === 'object' ? passwordOutcome.generatedFile : null;
  if (generatedPasswordFile) audit.record({ actor: 'console', action: 'password.set', target: `user:${ADMIN_USER}`, detail: `generated; in ${generatedPasswordFile}` });
  const apiTokens = new ApiTokens(store.db, apiToken);
  let dnsIngest: DnsIngest | null = null;
  let url = options.consoleUrl ?? '';
  const actions = new SocActions({
    store,
    audit,
    whitelist,
    apiTokens,
    enrollmentDefaults: () => ({ consoleUrl: url, ...(zones[0] ? { dnsDomain: zones[0] } : {}) }),
    onGatewayChanged: (id) => dnsIngest?.forget(id),
    onGatewayRevoked: (id) => watch.revoked(id),
  });
  const allowCidrs = options.allowCidrs ?? [];
  const { app, routes } = await buildApp({
    ...accept,
    audit,
    apiTokens,
    whitelist,
    actions,
    admin,
    sessions: new SessionStore(store.db),
    loginLimiter: new LoginLimiter(),
    destinations: () => notifier.snapshot(),
    allowed: allowCidrs.length ? new Whitelist(allowCidrs) : null,
    allowCidrs,
    // Behind a TLS proxy (an https console URL) cookies must be Secure too.
    tls: options.tls !== undefined || (options.consoleUrl?.startsWith('https://') ?? false),
    ...(options.tls ? { tlsOptions: options.tls } : {}),
    onDenied: (reason) => metrics.denied.inc({ reason }),
    tokens,
    realIpHeader: options.realIpHeader,
    tokenSettings: () => ({ zone: zones[0] ?? null, publicUrl: options.publicUrl ?? url }),
    loginHint: () => (admin.hasInitialPasswordFile(options.dataDir) ? "First start: the generated admin password is in the console's data directory, file admin-password." : undefined),
  });
  let dns: DnsServer | null = null;
  try {
    await app.listen({ host: options.httpHost, port: options.httpPort });
    // Bounded like every other listener: idle sockets time out, and there are only so many.
    app.server.maxConnections = 1024;
    if (zones.length > 0) {
      const ingest = new DnsIngest(accept);
      dnsIngest = ingest;
      const responder = new DnsResponder({
        zones,
        publicIp: options.publicIp,
        onData: (parsed, zone) => ingest.handle(parsed, zone),
        onQuery: (kind) => metrics.dnsQueries.inc({ kind }),
        onForged: (gwLabel) => ingest.malformed(gwLabel),
        onToken: (lookup, qname, qtype, src) => lookups.add(lookup, qname, qtype, src),
      });
      dns = new DnsServer(responder, options.log.child({ component: 'dns' }), { host: options.dnsHost ?? '0.0.0.0', port: options.dnsPort ?? 53 });
      await dns.start();
    }
  } catch (err) {
    await app.close();
    for (const d of destinations) d.close?.();
    store.close();
    lock.release();
    throw err;
  }
  const address = app.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : options.httpPort;
  url = options.consoleUrl ?? `${options.tls ? 'https' : 'http'}://${urlHost(options.httpHost)}:${httpPort}`;
  watch.start();
  notifier.start();
  metrics.trackNotifications(() => notifier.snapshot());
  writePublicSettings(options.dataDir, { version: 1, consoleUrl: url, ...(zones[0] ? { dnsDomain: zones[0] } : {}), ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}) });
  options.log.info({ url, data: options.dataDir, dnsZones: zones, dnsPort: dns?.port ?? null, notify: notifier.snapshot().map((d) => d.name) }, 'console started');
  return {
    url,
    httpPort,
    apiToken,
    apiTokenFile,
    dnsPort: dns?.port ?? null,
    store,
    metrics,
    notifier,
    audit,
    generatedPasswordFile,
    routes,
    tokens,
    watch,
    async stop() {
      watch.stop();
      notifier.stop();
      await dns?.stop();
      lookups.drain();
      await app.close();
      store.close();
      lock.release();
    },
  };
}

/** A wildcard listener is reachable on loopback at least; remote gateways need --console-url. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
