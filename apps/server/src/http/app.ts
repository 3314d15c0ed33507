/**
 * The Express application: composition of middleware and mounts, no business rules (those live in
 * packages/api, reached through the tRPC router).
 */
import { appRouter, createTRPCContext, type ApiDeps } from '@parley/api';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { errorHandler, notFoundHandler } from './errors.ts';
import { healthHandler } from './health.ts';
import { requestLogging } from './request-logging.ts';
import { authorizationOf, sessionRoutes, type SessionOptions } from './session.ts';
import { webApp } from './web.ts';

export interface AppOptions {
  deps: ApiDeps;
  logger: Logger;
  /** Serve the web app's build (production) or leave it to Vite's dev server. */
  webDist?: string | undefined;
  /** The web app's sign-in endpoints (/auth/session); without them only Bearer tokens work. */
  session?: SessionOptions | undefined;
  /** Express's `trust proxy` (PARLEY_TRUST_PROXY): whose X-Forwarded-* headers to believe. */
  trustProxy?: boolean | number | string | undefined;
}

export function createApp({ deps, logger, webDist, session, trustProxy }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy ?? false);
  app.use(requestLogging(logger));

  app.get('/healthz', healthHandler(deps.db));
  if (session) app.use(sessionRoutes(deps, session));

  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      createContext: ({ req }) => createTRPCContext(deps, { authorization: authorizationOf(req) }),
      onError({ error, path, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          req.log.error({ err: error.cause ?? error, path }, 'tRPC procedure failed');
        }
      },
    }),
  );

  if (webDist) app.use(webApp(webDist));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
