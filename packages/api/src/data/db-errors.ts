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
