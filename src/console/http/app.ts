/** The console's HTTP server: health, gateway ingest, authenticated API. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ingestRoutes, type IngestDeps } from './ingest.js';
import { apiRoutes } from './api.js';
import { tokenRoutes, type TokenRouteDeps } from './token-routes.js';
import { tokenApiRoutes, type TokenApiDeps } from './token-api.js';

export interface AppDeps extends IngestDeps, TokenRouteDeps, TokenApiDeps {
  apiToken: string;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Per-request lines would log every gateway batch; ingest logs what matters itself.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 10_000,
    trustProxy: false,
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.register(ingestRoutes, deps);
  await app.register(apiRoutes, deps);
  await app.register(tokenRoutes, deps);
  await app.register(tokenApiRoutes, deps);
  return app;
}
