/**
 * The console's HTTP server: health, gateway ingest, the JSON API and the dashboard. Access
 * control sits in front of every route (access.ts); routes that need no session or bearer token
 * say so in their config.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { ingestRoutes, type IngestDeps } from './ingest.js';
import { apiRoutes, type ApiDeps } from './api.js';
import { installAccessControl, type AccessDeps } from './access.js';
import { dashboardRoutes, type DashboardDeps } from './dashboard/routes.js';
import { CONTENT_SECURITY_POLICY } from './dashboard/layout.js';
import { tokenRoutes, type TokenRouteDeps } from './token-routes.js';
import { tokenApiRoutes, type TokenApiDeps } from './token-api.js';

export type AppDeps = IngestDeps & ApiDeps & AccessDeps & DashboardDeps & TokenRouteDeps & TokenApiDeps & { tlsOptions?: { cert: Buffer; key: Buffer } };

export interface RouteInfo {
  method: string;
  url: string;
  access: string;
}

export async function buildApp(deps: AppDeps): Promise<{ app: FastifyInstance; routes: RouteInfo[] }> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Per-request lines would log every gateway batch; ingest logs what matters itself.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 10_000,
    trustProxy: false,
    ...(deps.tlsOptions ? { https: { ...deps.tlsOptions, minVersion: 'TLSv1.2' as const } } : {}),
  }) as unknown as FastifyInstance;
  // Every route with who may use it: tests walk this list, so no route escapes the access check.
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url, access: (r.config as { access?: string } | undefined)?.access ?? 'authenticated' });
  });
  await app.register(cookie);
  installAccessControl(app, deps);
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-frame-options', 'DENY');
      reply.header('cache-control', 'no-store');
    }
    if (deps.tls) reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }));
  await app.register(ingestRoutes, deps);
  await app.register(apiRoutes, deps);
  await app.register(dashboardRoutes, deps);
  await app.register(tokenRoutes, deps);
  await app.register(tokenApiRoutes, deps);
  return { app, routes };
}
