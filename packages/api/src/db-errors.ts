import { Prisma } from '@parley/db';

/** A unique index refused the write (Prisma P2002): someone else inserted the same key first. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
