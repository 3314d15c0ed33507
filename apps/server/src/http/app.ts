/**
 * The Express application: composition of middleware and mounts, no business rules (those live in
 * packages/api, reached through the tRPC router).
 */
import { appRouter, createTRPCContext, type ApiDeps, type Principal } from '@parley/api';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_IMPORT_LIMIT,
  DEFAULT_RATE_LIMITS,
  sizeInBytes,
} from '../config.ts';
import { faceNamespaces, faces } from '../faces/index.ts';
import { mountFace } from '../faces/kit/mount.ts';
import { ragFace } from '../faces/rag.ts';
import { apiDocs } from './docs.ts';
import { rateLimits, type HitCounter, type RateLimits } from './limits.ts';
import { corsPolicy, securityHeaders } from './security.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { healthHandler } from './health.ts';
import { portabilityRoutes } from './portability.ts';
import { PORTABILITY_TAG, portabilityPaths } from './portability-openapi.ts';
import { jsonOnlyForTrpc } from './trpc-content-type.ts';
import { requestLogging } from './request-logging.ts';
import { authorizationOf, sessionRoutes, type SessionOptions } from './session.ts';
import { webApp } from './web.ts';

const API_VERSION = '1.0.0';
const TRPC_PREFIX = '/trpc';

export interface AppOptions {
  deps: ApiDeps;
  logger: Logger;
  /** Largest accepted REST request body; larger ones are 413 in the face's shape. */
  bodyLimit?: string;
  /** Largest import file (POST /api/import), in bytes. */
  importLimitBytes?: number;
  /** Requests per minute per credential and per client address (0: off). */
  rateLimits?: RateLimits;
  /** Where the limits are counted: this process's memory unless given (shared by workers). */
  hitCounter?: HitCounter | undefined;
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsOrigins?: string[];
  /** Serve the web app's build (production) or leave it to Vite's dev server. */
  webDist?: string | undefined;
  /** The web app's sign-in endpoints (/auth/session); without them only Bearer tokens work. */
  session?: SessionOptions | undefined;
  /** Express's `trust proxy` (PARLEY_TRUST_PROXY): whose X-Forwarded-* headers to believe. */
  trustProxy?: boolean | number | string | undefined;
  /** PARLEY_RAG_OPEN_AS: the RAG face serves requests without credentials as this user. */
  ragOpenAs?: Principal | undefined;
}

export function createApp({
  deps,
  logger,
  webDist,
  session,
  bodyLimit = DEFAULT_BODY_LIMIT,
  importLimitBytes = sizeInBytes(DEFAULT_IMPORT_LIMIT),
  rateLimits: limits = DEFAULT_RATE_LIMITS,
  hitCounter,
  corsOrigins = [],
  trustProxy = false,
  ragOpenAs,
}: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy);
  app.use(requestLogging(logger));
  app.use(securityHeaders());
  const cors = corsPolicy(corsOrigins);
  if (cors) app.use(cors);

  app.get('/healthz', healthHandler(deps.db));
  const limiter = rateLimits(limits, faces, hitCounter);
  if (limiter) app.use(limiter);
  if (session) app.use(sessionRoutes(deps, session));

  app.use(
    TRPC_PREFIX,
    jsonOnlyForTrpc,
    createExpressMiddleware({
      router: appRouter,
      createContext: ({ req }) => createTRPCContext(deps, { authorization: authorizationOf(req) }),
      onError({ error, path, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          req.log.error({ err: error.cause ?? error, path }, 'tRPC procedure failed');
        } else if (error.code === 'SERVICE_UNAVAILABLE') {
          req.log.warn({ err: error.cause ?? error, path }, 'database unavailable');
        }
      },
    }),
  );

  app.use(
    apiDocs(faces, API_VERSION, new Set(ragOpenAs ? [ragFace.name] : []), {
      tag: PORTABILITY_TAG,
      paths: portabilityPaths,
    }),
  );
  app.use(portabilityRoutes(deps, { importLimitBytes }));
  for (const face of faces) {
    const anonymousAs = face.name === ragFace.name ? ragOpenAs : undefined;
    app.use(mountFace(face, deps, { bodyLimit, anonymousAs }));
  }

  if (webDist) app.use(webApp(webDist, [TRPC_PREFIX, ...faceNamespaces(faces)]));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
