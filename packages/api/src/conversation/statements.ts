/**
 * The hot path's statements, as raw SQL through Prisma ($queryRaw, same driver adapter, same
 * connection). A model query spends most of its time in Prisma's query compiler: measured here,
 * updateManyAndReturn ~195 µs against ~115 µs for the same UPDATE … RETURNING raw, and
 * findFirst ~120 µs against ~55 µs (docs/performance.md). Rows come back with the same types.
 * Identifiers are quoted, so the SQL is the same on SQLite and PostgreSQL.
 */
import type { Conversation, Db } from '@parley/db';
import { Prisma } from '@parley/db';
import type { TitleSource } from './dto.ts';

/** The caller's conversation by canonical id, or undefined (someone else's reads as absent). */
export async function selectOwned(
  db: Db,
  id: string,
  userId: string,
): Promise<Conversation | undefined> {
  const rows = await db.$queryRaw<Conversation[]>`
    SELECT * FROM "Conversation" WHERE "id" = ${id} AND "userId" = ${userId} LIMIT 1`;
  return rows[0];
}

export interface TitleWrite {
  id: string;
  userId: string;
  title: string;
  titleSource: TitleSource;
  /** Write only if the conversation is still at this version. */
  expectedVersion?: number | undefined;
}

/**
 * Sets the title and counts the version in one statement that also checks the owner and the
 * expected version: the row written, or undefined when nothing matched.
 */
export async function writeTitle(db: Db, write: TitleWrite): Promise<Conversation | undefined> {
  const versionMatches =
    write.expectedVersion === undefined
      ? Prisma.empty
      : Prisma.sql`AND "version" = ${write.expectedVersion}`;
  const rows = await db.$queryRaw<Conversation[]>`
    UPDATE "Conversation"
    SET "title" = ${write.title}, "titleSource" = ${write.titleSource}, "version" = "version" + 1,
        "updatedAt" = ${new Date()}, "updatedById" = ${write.userId}
    WHERE "id" = ${write.id} AND "userId" = ${write.userId} ${versionMatches}
    RETURNING *`;
  return rows[0];
}
