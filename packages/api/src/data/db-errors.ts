import { Prisma } from '@parley/db';

/**
 * A unique index refused the write: someone else inserted the same key first. The model API
 * reports it as P2002; a raw statement ($queryRaw) as P2010 "raw query failed", carrying the
 * driver adapter's error, whose kind is UniqueConstraintViolation on SQLite and PostgreSQL alike.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === 'P2002') return true;
  const adapterError = error.meta?.['driverAdapterError'] as
    { cause?: { kind?: unknown } } | undefined;
  return error.code === 'P2010' && adapterError?.cause?.kind === 'UniqueConstraintViolation';
}

/** Adapter error kinds that mean the database cannot be reached, not that the query was wrong. */
const UNREACHABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TlsConnectionError',
]);
/** Prisma's codes for a database it cannot reach, that went away, or timed out. */
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024']);

/**
 * P2028's two time limits (TRANSACTION_OPTIONS in @parley/db): a transaction that got no
 * connection in time, or ran out of time, met a database too busy to answer now. Its other
 * messages (a transaction used after it closed) are bugs, and stay 500s.
 */
const TRANSACTION_OUT_OF_TIME = /Unable to start a transaction in the given time|expired transaction/;

/**
 * node-postgres's own errors for a connection that failed or broke (they carry no code). `timeout
 * expired` is what a new connection fails with when its connect timeout fires (at the end of the
 * message of whatever wraps it): under heavy load a burst that opened the pool's connections got
 * it once per connection, as 500s.
 */
const PG_CONNECTION_FAILURE =
  /Connection terminated|timeout exceeded when trying to connect|timeout expired$|connect ECONNREFUSED|Client has encountered a connection error|terminating connection due to administrator command/;

function isUnreachableKind(cause: unknown): boolean {
  if (typeof cause !== 'object' || cause === null) return false;
  const { kind, code } = cause as { kind?: unknown; code?: unknown };
  if (typeof kind === 'string' && UNREACHABLE_KINDS.has(kind)) return true;
  // PostgreSQL's connection exceptions (08…) and shutdown or start-up in progress (57P01-57P03).
  return kind === 'postgres' && typeof code === 'string' && /^(08|57P0[123])/.test(code);
}

/**
 * The database is down, unreachable or too busy (PostgreSQL stopped, the network gone, no
 * connection free in time): the request deserves a 503 and a retry, not a 500. Follows `cause` through wrappers such as TRPCError.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Prisma.PrismaClientInitializationError) return true;
    if (e instanceof Prisma.PrismaClientKnownRequestError) {
      if (UNREACHABLE_CODES.has(e.code)) return true;
      if (e.code === 'P2028' && TRANSACTION_OUT_OF_TIME.test(e.message)) return true;
      const adapterError = e.meta?.['driverAdapterError'] as { cause?: unknown } | undefined;
      if (isUnreachableKind(adapterError?.cause)) return true;
    }
    if (e instanceof Error && e.name === 'DriverAdapterError' && isUnreachableKind(e.cause)) {
      return true;
    }
    if (e instanceof Error && PG_CONNECTION_FAILURE.test(e.message)) return true;
  }
  return false;
}
