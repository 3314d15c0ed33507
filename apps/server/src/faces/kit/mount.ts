/**
 * Serves a face's routes on Express: body parsing with a size limit, authentication, validation
 * of the vendor's request, the handler's call into the router, and every failure rendered in the
 * vendor's error shape (never a 500 for bad input, never HTML).
 */
import {
  actAs,
  createCaller,
  createTRPCContext,
  isDatabaseUnavailable,
  type ApiDeps,
  type Principal,
} from '@parley/api';
import { etagOf, versionFromIfMatch } from '@parley/api/rules';
import { TRPCError } from '@trpc/server';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { standardHeaders, type ErrorDialect } from './dialect.ts';
import { sendStreamedJson, streamedField } from './json-stream.ts';
import {
  FaceError,
  issuesOf,
  problemFromBodyParser,
  problemFromTrpc,
  type Issue,
  type Problem,
} from './problem.ts';
import type { Face, Route } from './route.ts';

/** The types a face reads as JSON (as express.json below parses them). */
const JSON_TYPES = ['application/json', 'application/*+json'];

export interface MountOptions {
  /** Largest accepted request body, e.g. "64kb". */
  bodyLimit: string;
  /**
   * Requests without an Authorization header act as this user instead of being refused (the RAG
   * face under PARLEY_RAG_OPEN_AS); a request that carries credentials is authenticated as always.
   */
  anonymousAs?: Principal | undefined;
}

/** Express path syntax from the OpenAPI path: /x/{id} → /x/:id. */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

export function mountFace(face: Face, deps: ApiDeps, options: MountOptions): Router {
  const router = express.Router();
  // Not strict: any JSON value is a body (a string, a number, null), and the route's schema says
  // what is wrong with it (FastAPI's model_attributes_type, say), as the vendors do.
  const json = express.json({
    limit: options.bodyLimit,
    strict: false,
    type: JSON_TYPES,
  });
  const byPath = new Map<string, Route[]>();
  for (const r of face.routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);

  // Credentials are checked before the body is read: an anonymous caller learns nothing more.
  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    if (options.anonymousAs && req.headers.authorization === undefined) {
      res.locals.principal = options.anonymousAs;
      return next();
    }
    deps.authenticate(req.headers.authorization).then((principal) => {
      if (!principal) {
        const reason = req.headers.authorization ? 'invalid' : 'missing';
        return send(res, face.dialect, { kind: 'unauthorized', reason });
      }
      res.locals.principal = principal;
      next();
    }, next);
  };

  // A body the route would read but that is not JSON is refused, never ignored: a client that
  // sent its fields as text/plain or a form must not get a success that dropped them. "Present"
  // is what HTTP says carries a body (a length above zero, or chunks), whatever the type says.
  const requireJson = (req: Request, res: Response, next: NextFunction) => {
    const present =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
    if (present && !req.is(JSON_TYPES))
      return send(res, face.dialect, { kind: 'unsupported_media_type' });
    next();
  };

  for (const [path, routes] of byPath) {
    for (const r of routes) {
      const chain = r.body ? [authenticate, requireJson, json] : [authenticate, json];
      router[r.method](
        expressPath(path),
        ...chain,
        (req: Request, res: Response, next: NextFunction) => {
          serve(face, r, deps, req, res, (res.locals as { principal: Principal }).principal).catch(
            next,
          );
        },
      );
    }
    // A known path with another method: 405 with Allow, in the face's shape.
    const allow = routes.map((r) => r.method.toUpperCase());
    router.all(expressPath(path), (_req, res) => {
      send(res, face.dialect, { kind: 'method_not_allowed', allow });
    });
  }

  // Any other path inside the face's own prefix: the vendor's "not found", not Parley's.
  if (face.prefix) {
    router.use(face.prefix, (req, res) => {
      const path = req.originalUrl.split('?')[0]!;
      send(res, face.dialect, { kind: 'no_route', method: req.method, path });
    });
  }

  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    // A path parameter that is not valid percent-encoded UTF-8 is a malformed id: not found.
    const problem: Problem | undefined =
      error instanceof URIError ? { kind: 'not_found' } : problemFromBodyParser(error);
    if (problem) return send(res, face.dialect, problem);
    // Anything else is the server's fault: logged under the request id, and answered in the
    // face's shape without a word of its cause (or, once the answer has begun, by cutting it).
    // A database that cannot be reached is a 503, which says to retry.
    req.log.error({ err: error }, 'unhandled error');
    if (res.headersSent) return void res.destroy();
    send(res, face.dialect, { kind: isDatabaseUnavailable(error) ? 'unavailable' : 'internal' });
  });
  return router;
}

async function serve(
  face: Face,
  r: Route,
  deps: ApiDeps,
  req: Request,
  res: Response,
  principal: Principal,
): Promise<void> {
  const issues: Issue[] = [];
  const parse = <S extends z.ZodType>(
    schema: S | undefined,
    value: unknown,
    where: Issue['in'],
  ) => {
    if (!schema) return undefined;
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) return result.data;
    issues.push(...issuesOf(result.error, where, value));
    return undefined;
  };
  const params = parse(r.params, req.params, 'path');
  const query = parse(r.query, req.query, 'query');
  const rawBody: unknown = req.body === undefined && r.bodyOptional ? {} : req.body;
  const body = parse(r.body, rawBody, 'body');

  const expectedVersion =
    r.precondition === 'if-match' ? versionFromIfMatch(req.get('if-match')) : undefined;
  const idempotencyKey =
    r.precondition === 'idempotency-key' ? req.get('idempotency-key') : undefined;
  if (
    idempotencyKey !== undefined &&
    (idempotencyKey.length === 0 || idempotencyKey.length > 255)
  ) {
    issues.push(headerIssue('Idempotency-Key', 'Idempotency-Key must be 1-255 characters.'));
  }
  if (issues.length > 0) return send(res, face.dialect, { kind: 'invalid', issues });
  if (expectedVersion === 'unsatisfiable')
    return send(res, face.dialect, { kind: 'precondition_failed' });

  const callerFor = (p: Principal) => createCaller(createTRPCContext(deps, { principal: p }));
  try {
    const result = await r.handler({
      params: params ?? {},
      query: query ?? {},
      body,
      api: callerFor(principal),
      principal,
      as: async (userName) => callerFor(await actAs(deps.db, principal, userName)),
      expectedVersion,
      idempotencyKey,
      req,
    });
    if (result.version !== undefined) res.set('ETag', etagOf(result.version));
    // The ETag is the version, for If-Match; a message changes a conversation's counters and
    // times but not its version, so it cannot say whether a client's copy is current: no 304s.
    delete req.headers['if-none-match'];
    const streamed = streamedField(result.body);
    if (result.body === undefined) res.status(r.success.status).end();
    else if (streamed === undefined) res.status(r.success.status).json(result.body);
    else await sendStreamedJson(req, res, r.success.status, result.body as object, streamed);
  } catch (error) {
    const problem =
      error instanceof FaceError
        ? error.problem
        : error instanceof TRPCError
          ? problemFromTrpc(error, expectedVersion !== undefined)
          : undefined;
    // Once a streamed answer has begun, nothing can be said any more: the error handler cuts it.
    if (!problem || res.headersSent) throw error;
    // A 503 tells the client only to retry; the operator needs its cause, as /trpc logs it.
    if (problem.kind === 'unavailable') {
      req.log.warn(
        { err: error instanceof Error ? (error.cause ?? error) : error },
        'database unavailable',
      );
    }
    send(res, face.dialect, problem);
  }
}

function headerIssue(name: string, message: string): Issue {
  return {
    in: 'header',
    path: [name],
    message,
    zod: { code: 'custom', path: [name], message, input: undefined },
  };
}

function send(res: Response, dialect: ErrorDialect, problem: Problem): void {
  const rendered = dialect.render(problem);
  res
    .status(rendered.status)
    .set({ ...standardHeaders(problem), ...rendered.headers })
    .json(rendered.body);
}
