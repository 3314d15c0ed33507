/**
 * The Express application: composition of middleware and mounts, no business rules (those live in
 * packages/api, reached through the tRPC router).
 */
import { appRouter, createTRPCContext, type ApiDeps, type Principal } from '@parley/api';
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_IMPORT_LIMIT,
  DEFAULT_RATE_LIMITS,
  DEFAULT_TRPC_BODY_LIMIT,
  sizeInBytes,
} from '../config.ts';
import { faceNamespaces, facePrefix, faces } from '../faces/index.ts';
import { mountFace } from '../faces/kit/mount.ts';
import { ragFace } from '../faces/rag.ts';
import { apiDocs, DOCS_PATHS } from './docs.ts';
import { rateLimits, type HitCounter, type RateLimits } from './limits.ts';
import { corsPolicy, securityHeaders } from './security.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { healthHandler } from './health.ts';
import { PORTABILITY_PREFIXES, portabilityRoutes } from './portability.ts';
import { PORTABILITY_TAG, portabilityPaths } from './portability-openapi.ts';
import { trpcHandler } from './trpc-adapter.ts';
import { jsonOnlyForTrpc } from './trpc-content-type.ts';
import { requestLogging } from './request-logging.ts';
import { authorizationOf, SESSION_PATH, sessionRoutes, type SessionOptions } from './session.ts';
import { webApp } from './web.ts';

const API_VERSION = '1.0.0';
const TRPC_PREFIX = '/trpc';

export interface AppOptions {
  deps: ApiDeps;
  logger: Logger;
  /** Largest accepted REST request body; larger ones are 413 in the face's shape. */
  bodyLimit?: string;
  /** Largest accepted /trpc request body, in bytes; larger ones are 413 in tRPC's envelope. */
  trpcBodyLimitBytes?: number;
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
  trpcBodyLimitBytes = sizeInBytes(DEFAULT_TRPC_BODY_LIMIT),
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
  // Routers for a few paths each are entered only for those paths: Express would otherwise walk
  // every one of their layers for every request (docs/performance.md, "Layers").
  if (session) app.use(onlyUnder([SESSION_PATH], sessionRoutes(deps, session)));

  app.use(
    TRPC_PREFIX,
    jsonOnlyForTrpc,
    trpcHandler({
      router: appRouter,
      maxBodyBytes: trpcBodyLimitBytes,
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
    onlyUnder(
      DOCS_PATHS,
      apiDocs(faces, API_VERSION, new Set(ragOpenAs ? [ragFace.name] : []), {
        tag: PORTABILITY_TAG,
        paths: portabilityPaths,
      }),
    ),
  );
  app.use(onlyUnder(PORTABILITY_PREFIXES, portabilityRoutes(deps, { importLimitBytes })));

  // Each face answers every path under its own prefix (the prefixes are disjoint). A failure of
  // the middleware before it (say, the rate limits' counter) stays the neutral 500 below, as it
  // was when each face was an Express router (whose error handlers saw only their own errors).
  const mounted = faces.map((face) => ({
    owns: pathsUnder([face.prefix ?? facePrefix(faces, face)]),
    face: mountFace(face, deps, {
      bodyLimit,
      anonymousAs: face.name === ragFace.name ? ragOpenAs : undefined,
    }),
  }));
  const faceOf = (req: Request) => mounted.find(({ owns }) => owns.test(req.path))?.face;
  const serveFaces: RequestHandler = (req, res, next) => {
    const face = faceOf(req);
    if (face) face(req, res);
    else next();
  };
  app.use(
    Object.assign(serveFaces, { operations: mounted.flatMap(({ face }) => face.operations) }),
  );

  if (webDist) app.use(webApp(webDist, [TRPC_PREFIX, ...faceNamespaces(faces)]));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

/** Paths equal to one of the prefixes or under one, in any case (as Express matches paths). */
function pathsUnder(prefixes: string[]): RegExp {
  const escaped = prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^(?:${escaped.join('|')})(?:/|$)`, 'i');
}

/** The handler for requests at or under one of the prefixes; every other request skips it. */
function onlyUnder(prefixes: string[], handler: RequestHandler): RequestHandler {
  const owns = pathsUnder(prefixes);
  return (req, res, next) => {
    if (owns.test(req.path)) handler(req, res, next);
    else next();
  };
}
