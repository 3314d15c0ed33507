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
import express, { type Request, type Response } from 'express';
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

/**
 * A route's OpenAPI path compiled for matching as Express matched it: literal segments compared
 * without regard to case, a parameter as one non-empty segment (percent-decoded), and one trailing
 * slash allowed.
 */
type Segment = { literal: string } | { param: string };

function compilePath(openApiPath: string): Segment[] {
  return openApiPath
    .split('/')
    .slice(1)
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment)?.[1];
      return param ? { param } : { literal: segment.toLowerCase() };
    });
}

/** The path's parameters if it has the compiled shape, else undefined; URIError if one is malformed. */
function matchSegments(
  compiled: Segment[],
  segments: string[],
): Record<string, string> | undefined {
  if (segments.length !== compiled.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < compiled.length; i++) {
    const want = compiled[i]!;
    const have = segments[i]!;
    if ('literal' in want) {
      if (have !== want.literal && have.toLowerCase() !== want.literal) return undefined;
    } else if (have.length === 0) return undefined;
  }
  for (let i = 0; i < compiled.length; i++) {
    const want = compiled[i]!;
    if ('param' in want) params[want.param] = decodeURIComponent(segments[i]!);
  }
  return params;
}

/** A path's segments after the leading slash, without the one trailing slash Express ignores. */
function segmentsOf(path: string): string[] {
  const end = path.length > 1 && path.endsWith('/') ? path.length - 1 : path.length;
  return path.slice(1, end).split('/');
}

/** Answers every request under a face's prefix, its failures included, in the face's shape. */
export type MountedFace = ((req: Request, res: Response) => void) & {
  /** What it serves, as "method /openapi/{path}" (the conformance tests compare it with the docs). */
  operations: string[];
};

/**
 * Serves a face: each request under its prefix is matched against the face's routes (one compiled
 * list, in the routes' order), then authenticated, its body read and the route's handler called.
 * A known path with another method is 405 with Allow, any other path under the prefix the face's
 * own 404; every failure is answered in the face's shape. Express's router did the same with a
 * router, two route layers per path and a layer per step (docs/performance.md).
 */
export function mountFace(face: Face, deps: ApiDeps, options: MountOptions): MountedFace {
  // Not strict: any JSON value is a body (a string, a number, null), and the route's schema says
  // what is wrong with it (FastAPI's model_attributes_type, say), as the vendors do.
  const json = express.json({
    limit: options.bodyLimit,
    strict: false,
    type: JSON_TYPES,
  });
  const byPath = new Map<string, Route[]>();
  for (const r of face.routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  const paths = [...byPath].map(([path, routes]) => ({
    path,
    segments: compilePath(path),
    // A GET route also answers HEAD, as Express's does.
    byMethod: new Map(routes.map((r) => [r.method.toUpperCase(), r])),
    allow: routes.map((r) => r.method.toUpperCase()),
  }));

  const render = (error: unknown, req: Request, res: Response) => {
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
  };

  /** The body as JSON (req.body), as express.json reads it. */
  const readBody = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) =>
      json(req, res, (failure?: Error) => (failure ? reject(failure) : resolve())),
    );

  const run = async (r: Route, req: Request, res: Response) => {
    // Credentials are checked before the body is read: an anonymous caller learns nothing more.
    let principal: Principal | null;
    if (options.anonymousAs && req.headers.authorization === undefined) {
      principal = options.anonymousAs;
    } else {
      principal = await deps.authenticate(req.headers.authorization);
      if (!principal) {
        const reason = req.headers.authorization ? 'invalid' : 'missing';
        return send(res, face.dialect, { kind: 'unauthorized', reason });
      }
    }
    // A body the route would read but that is not JSON is refused, never ignored: a client that
    // sent its fields as text/plain or a form must not get a success that dropped them. "Present"
    // is what HTTP says carries a body (a length above zero, or chunks), whatever the type says.
    if (r.body) {
      const present =
        req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
      if (present && !req.is(JSON_TYPES)) {
        return send(res, face.dialect, { kind: 'unsupported_media_type' });
      }
    }
    await readBody(req, res);
    await serve(face, r, deps, req, res, principal);
  };

  const handle = (req: Request, res: Response) => {
    const segments = segmentsOf(req.path);
    for (const path of paths) {
      const params = matchSegments(path.segments, segments);
      if (!params) continue;
      req.params = params;
      const r =
        path.byMethod.get(req.method) ??
        (req.method === 'HEAD' ? path.byMethod.get('GET') : undefined);
      // A known path with another method: 405 with Allow, in the face's shape.
      if (!r) return send(res, face.dialect, { kind: 'method_not_allowed', allow: path.allow });
      run(r, req, res).catch((failure: unknown) => error(failure, req, res));
      return;
    }
    // Any other path inside the face's own prefix: the vendor's "not found", not Parley's.
    const path = req.originalUrl.split('?')[0]!;
    send(res, face.dialect, { kind: 'no_route', method: req.method, path });
  };

  const error = (failure: unknown, req: Request, res: Response) => {
    try {
      render(failure, req, res);
    } catch (again) {
      // Rendering failed too: closing the connection is all that is left.
      req.log.error({ err: again }, 'unhandled error');
      res.destroy();
    }
  };

  const mounted = (req: Request, res: Response) => {
    try {
      handle(req, res);
    } catch (failure) {
      error(failure, req, res);
    }
  };
  return Object.assign(mounted, {
    operations: paths.flatMap(({ path, byMethod }) =>
      [...byMethod.keys()].map((method) => `${method.toLowerCase()} ${path}`),
    ),
  });
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
