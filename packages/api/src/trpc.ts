/**
 * The one file that knows about tRPC's context and procedures; routers import only from here.
 *
 * 1. Context: the database, the authenticator, the live-change bus, and the request's credentials.
 * 2. Initialisation: plain JSON on the wire (no transformer), zod issues in the error shape.
 * 3. Router and procedures: `publicProcedure`, and `protectedProcedure` with a non-null principal.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import { isDatabaseUnavailable } from './data/db-errors.ts';
import { silentLogger, type ApiDeps, type RequestAuth } from './deps/api-deps.ts';
import { localTitleGenerator } from './deps/title-generators.ts';

// 1. Context ---------------------------------------------------------------------------------

export function createTRPCContext(deps: ApiDeps, auth: RequestAuth) {
  return {
    ...deps,
    titleGenerator: deps.titleGenerator ?? localTitleGenerator,
    autoTitles: deps.autoTitles ?? true,
    logger: deps.logger ?? silentLogger,
    authorization: auth.authorization,
    principal: auth.principal ?? null,
  };
}

export type Context = ReturnType<typeof createTRPCContext>;

// 2. Initialisation --------------------------------------------------------------------------

const t = initTRPC.context<Context>().create({
  // Subscriptions travel as server-sent events: a ping every 15 s keeps idle proxies from closing
  // the stream, and a client that hears nothing for 40 s reconnects.
  sse: {
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 40_000 },
  },
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      // Never show a client what went wrong inside; the host logs it with the request id.
      message: error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        zodError: zodError ? z.flattenError(zodError) : null,
      },
    };
  },
});

// 3. Router and procedures -------------------------------------------------------------------

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * A database that cannot be reached (PostgreSQL down or gone) is SERVICE_UNAVAILABLE (503): the
 * client may retry, and a load balancer sees this process as unhealthy, not broken.
 */
const databaseAvailability = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isDatabaseUnavailable(result.error)) {
    throw new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is unavailable; retry shortly.',
      cause: result.error,
    });
  }
  return result;
});

export const publicProcedure = t.procedure.use(databaseAvailability);

/** Resolves the caller from the bearer token; no token or a bad one is UNAUTHORIZED. */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const principal = ctx.principal ?? (await ctx.authenticate(ctx.authorization));
  if (!principal) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Missing or invalid bearer token.' });
  }
  return next({ ctx: { ...ctx, principal } });
});
