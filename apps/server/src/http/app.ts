/**
 * The Express application: composition of middleware and mounts, no business rules (those live in
 * packages/api, reached through the tRPC router).
 */
import { appRouter, createTRPCContext, type ApiDeps } from '@parley/api';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { faces } from '../faces/index.ts';
import { mountFace } from '../faces/kit/mount.ts';
import { apiDocs } from './docs.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { healthHandler } from './health.ts';
import { requestLogging } from './request-logging.ts';
import { webApp } from './web.ts';

const API_VERSION = '1.0.0';

export interface AppOptions {
  deps: ApiDeps;
  logger: Logger;
  /** Largest accepted REST request body (default 64kb); larger ones are 413 in the face's shape. */
  bodyLimit?: string;
  /** Serve the web app's build (production) or leave it to Vite's dev server. */
  webDist?: string | undefined;
}

export function createApp({ deps, logger, webDist, bodyLimit = '64kb' }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogging(logger));

  app.get('/healthz', healthHandler(deps.db));

  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      createContext: ({ req }) =>
        createTRPCContext(deps, { authorization: req.headers.authorization }),
      onError({ error, path, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          req.log.error({ err: error.cause ?? error, path }, 'tRPC procedure failed');
        }
      },
    }),
  );

  app.use(apiDocs(faces, API_VERSION));
  for (const face of faces) app.use(mountFace(face, deps, { bodyLimit }));

  if (webDist) app.use(webApp(webDist));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
