/**
 * The hot path's statements, as raw SQL through Prisma ($queryRaw, same driver adapter, same
 * connection): create, rename, the owner-scoped lookup, list pages, and messages. A model query
 * spends most of its time in Prisma's query compiler: measured here, updateManyAndReturn ~195 µs
 * against ~115 µs for the same UPDATE … RETURNING raw, findFirst ~120 µs against ~55 µs, create
 * ~345-390 µs against ~200-270 µs (docs/performance.md). Rows come back with the same types, and
 * times are stored in the same text as the model API stores them (statements.test.ts).
 * Identifiers are quoted, so the SQL is the same on SQLite and PostgreSQL.
 */
import type { Conversation, Db, Message } from '@parley/db';
import { Prisma } from '@parley/db';
import type { TitleSource } from './dto.ts';

/** The caller's conversation by canonical id, or undefined (someone else's reads as absent). */
export async function selectOwned(
  db: Queryable,
  id: string,
  userId: string,
): Promise<Conversation | undefined> {
  const rows = await db.$queryRaw<Conversation[]>`
    SELECT * FROM "Conversation" WHERE "id" = ${id} AND "userId" = ${userId} LIMIT 1`;
  return rows[0];
}

/** The client, or a transaction of it: what a statement runs on. */
type Queryable = Prisma.TransactionClient;

/**
 * A new conversation's row: everything but the counters and marks, which start at their
 * defaults, and the metadata, `{}` unless given.
 */
export type NewConversation = Omit<
  Conversation,
  'version' | 'messageCount' | 'lastMessageAt' | 'pinnedAt' | 'archivedAt' | 'metadata'
> & { metadata?: string };

/**
 * Inserts a conversation and returns the stored row in one statement. A duplicate idempotency key
 * fails on the (userId, idempotencyKey) unique index (see isUniqueViolation).
 */
export async function insertConversation(db: Queryable, c: NewConversation): Promise<Conversation> {
  const rows = await db.$queryRaw<Conversation[]>`
    INSERT INTO "Conversation" ("id", "orgId", "userId", "title", "titleSource", "model",
      "userDisplay", "timezone", "idempotencyKey", "createdAt", "updatedAt", "createdById",
      "updatedById", "metadata")
    VALUES (${c.id}, ${c.orgId}, ${c.userId}, ${c.title}, ${c.titleSource}, ${c.model},
      ${c.userDisplay}, ${c.timezone}, ${c.idempotencyKey}, ${c.createdAt}, ${c.updatedAt},
      ${c.createdById}, ${c.updatedById}, ${c.metadata ?? '{}'})
    RETURNING *`;
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return row;
}

/** The owner's conversation created with this idempotency key, or undefined. */
export async function selectByIdempotencyKey(
  db: Db,
  userId: string,
  key: string,
): Promise<Conversation | undefined> {
  const rows = await db.$queryRaw<Conversation[]>`
    SELECT * FROM "Conversation" WHERE "userId" = ${userId} AND "idempotencyKey" = ${key} LIMIT 1`;
  return rows[0];
}

/** The condition of a write that applies only at this version (none when not given). */
function versionMatches(expectedVersion: number | undefined): Prisma.Sql {
  return expectedVersion === undefined
    ? Prisma.empty
    : Prisma.sql`AND "version" = ${expectedVersion}`;
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
  const rows = await db.$queryRaw<Conversation[]>`
    UPDATE "Conversation"
    SET "title" = ${write.title}, "titleSource" = ${write.titleSource}, "version" = "version" + 1,
        "updatedAt" = ${new Date()}, "updatedById" = ${write.userId}
    WHERE "id" = ${write.id} AND "userId" = ${write.userId} ${versionMatches(write.expectedVersion)}
    RETURNING *`;
  return rows[0];
}

/** A mark a conversation either carries (since a time) or not: pinned, archived. */
export type ConversationMark = 'pinnedAt' | 'archivedAt';

export interface MarkWrite {
  id: string;
  userId: string;
  mark: ConversationMark;
  /** Set the mark (now) or clear it. */
  on: boolean;
  expectedVersion?: number | undefined;
}

/**
 * Sets or clears a mark and counts the version, in one statement that also checks the owner, the
 * expected version and that the mark changes: the row written, or undefined when nothing matched
 * (then the caller tells unknown from conflict from already-so). `updatedAt` stays: pinning and
 * archiving organise a conversation without making it recently active.
 */
export async function writeMark(db: Db, write: MarkWrite): Promise<Conversation | undefined> {
  const column = Prisma.raw(write.mark === 'pinnedAt' ? '"pinnedAt"' : '"archivedAt"');
  const rows = await db.$queryRaw<Conversation[]>`
    UPDATE "Conversation"
    SET ${column} = ${write.on ? new Date() : null}, "version" = "version" + 1,
        "updatedById" = ${write.userId}
    WHERE "id" = ${write.id} AND "userId" = ${write.userId}
      AND ${column} ${Prisma.raw(write.on ? 'IS NULL' : 'IS NOT NULL')} ${versionMatches(write.expectedVersion)}
    RETURNING *`;
  return rows[0];
}

/**
 * Replaces the metadata (JSON text) and counts the version, with the same owner and version
 * checks as writeTitle: the row written, or undefined when nothing matched.
 */
export async function writeMetadata(
  db: Db,
  write: { id: string; userId: string; metadata: string; expectedVersion?: number | undefined },
): Promise<Conversation | undefined> {
  const rows = await db.$queryRaw<Conversation[]>`
    UPDATE "Conversation"
    SET "metadata" = ${write.metadata}, "version" = "version" + 1,
        "updatedAt" = ${new Date()}, "updatedById" = ${write.userId}
    WHERE "id" = ${write.id} AND "userId" = ${write.userId} ${versionMatches(write.expectedVersion)}
    RETURNING *`;
  return rows[0];
}

/** Which conversations a list holds by their marks: `undefined` places no condition. */
export interface MarkFilter {
  /** Only archived (true), only not archived (false). */
  archived?: boolean | undefined;
  /** Only pinned (true), only not pinned (false). */
  pinned?: boolean | undefined;
}

function markConditions({ archived, pinned }: MarkFilter): Prisma.Sql {
  const is = (column: string, on: boolean | undefined) =>
    on === undefined ? Prisma.empty : Prisma.raw(`AND "${column}" IS ${on ? 'NOT ' : ''}NULL`);
  return Prisma.sql`${is('archivedAt', archived)} ${is('pinnedAt', pinned)}`;
}

export interface PageQuery extends MarkFilter {
  userId: string;
  field: 'updatedAt' | 'createdAt';
  /** Walk the index from the newest down (true) or from the oldest up. */
  descending: boolean;
  /** Start strictly beyond this (sort key, id); null for the first page. */
  after: { at: Date; id: string } | null;
  take: number;
}

/**
 * One keyset page. The position is compared as a row value, `(field, id) < (?, ?)`: SQLite and
 * PostgreSQL seek the (userId, field DESC, id DESC) index to it, where the equivalent
 * `field < ? OR (field = ? AND id < ?)` makes SQLite scan every row before it (1.7 ms instead of
 * 0.07 ms at a depth of 19,000 rows, docs/performance.md).
 */
export async function selectPage(db: Db, query: PageQuery): Promise<Conversation[]> {
  const field = Prisma.raw(query.field === 'updatedAt' ? '"updatedAt"' : '"createdAt"');
  const order = Prisma.raw(query.descending ? 'DESC' : 'ASC');
  const beyond = query.after
    ? Prisma.sql`AND (${field}, "id") ${Prisma.raw(query.descending ? '<' : '>')} (${query.after.at}, ${query.after.id})`
    : Prisma.empty;
  return db.$queryRaw<Conversation[]>`
    SELECT * FROM "Conversation" WHERE "userId" = ${query.userId} ${beyond} ${markConditions(query)}
    ORDER BY ${field} ${order}, "id" ${order}
    LIMIT ${query.take}`;
}

/** A stored message, and where its conversation's title came from at that moment. */
export interface InsertedMessage {
  message: Message;
  titleSource: TitleSource;
}

/**
 * Appends a message to the owner's conversation and counts it there, in one transaction: the
 * stored message (with the conversation's title source, which automatic titles look at), or
 * undefined when the owner has no such conversation (nothing is written).
 */
export async function insertMessage(
  db: Db,
  userId: string,
  message: Message,
): Promise<InsertedMessage | undefined> {
  const inserted = await insertMessages(db, userId, [message]);
  const first = inserted?.messages[0];
  return first && { message: first, titleSource: inserted.titleSource };
}

/** Several messages of one conversation, stored and counted together: all of them, or none. */
export async function insertMessages(
  db: Db,
  userId: string,
  messages: Message[],
): Promise<{ messages: Message[]; titleSource: TitleSource } | undefined> {
  return db.$transaction((tx) => insertMessagesIn(tx, userId, messages));
}

/**
 * A new conversation and its first messages, in one transaction: the conversation as it is after
 * them, and the messages.
 */
export async function insertConversationWithMessages(
  db: Db,
  c: NewConversation,
  messages: Message[],
): Promise<{ conversation: Conversation; messages: Message[] }> {
  return db.$transaction(async (tx) => {
    const inserted = await insertConversation(tx, c);
    const added = await insertMessagesIn(tx, c.userId, messages);
    const conversation = added ? await selectOwned(tx, c.id, c.userId) : inserted;
    return { conversation: conversation ?? inserted, messages: added?.messages ?? [] };
  });
}

/** Counts the messages on their conversation, then inserts them (inside a transaction). */
async function insertMessagesIn(
  tx: Queryable,
  userId: string,
  messages: Message[],
): Promise<{ messages: Message[]; titleSource: TitleSource } | undefined> {
  const last = messages.at(-1);
  if (!last) return undefined;
  const counted = await tx.$queryRaw<{ titleSource: TitleSource }[]>`
    UPDATE "Conversation"
    SET "messageCount" = "messageCount" + ${messages.length},
        "lastMessageAt" = ${last.createdAt}, "updatedAt" = ${last.createdAt}
    WHERE "id" = ${last.conversationId} AND "userId" = ${userId}
    RETURNING "titleSource"`;
  const conversation = counted[0];
  if (!conversation) return undefined;
  const stored: Message[] = [];
  for (const { id, conversationId, role, content, createdAt } of messages) {
    const rows = await tx.$queryRaw<Message[]>`
      INSERT INTO "Message" ("id", "conversationId", "role", "content", "createdAt")
      VALUES (${id}, ${conversationId}, ${role}, ${content}, ${createdAt})
      RETURNING *`;
    if (rows[0]) stored.push(rows[0]);
  }
  return { messages: stored, titleSource: conversation.titleSource };
}

/**
 * Deletes a message of the owner's conversation and takes it off the counters (the last message
 * time becomes that of the newest message left), in one transaction: the conversation as it is
 * then, or undefined when the owner has no such conversation or it no such message.
 */
export async function deleteMessageRow(
  db: Db,
  userId: string,
  conversationId: string,
  id: string,
): Promise<Conversation | undefined> {
  return db.$transaction(async (tx) => {
    const deleted = await tx.$queryRaw<{ id: string }[]>`
      DELETE FROM "Message"
      WHERE "conversationId" = ${conversationId} AND "id" = ${id}
        AND EXISTS (SELECT 1 FROM "Conversation" WHERE "id" = ${conversationId}
                    AND "userId" = ${userId})
      RETURNING "id"`;
    if (deleted.length === 0) return undefined;
    const rows = await tx.$queryRaw<Conversation[]>`
      UPDATE "Conversation"
      SET "messageCount" = "messageCount" - 1, "updatedAt" = ${new Date()},
          "lastMessageAt" = (SELECT MAX("createdAt") FROM "Message"
                             WHERE "conversationId" = ${conversationId})
      WHERE "id" = ${conversationId} AND "userId" = ${userId}
      RETURNING *`;
    return rows[0];
  });
}

/**
 * One keyset page of a conversation's messages, by id (ids sort by creation time): up to `take`
 * messages beyond the given id (or from the end the walk starts at), oldest first, or newest
 * first when `descending` (then "beyond" is older). Either way one range scan of the
 * (conversationId, id) index.
 */
export async function selectMessages(
  db: Db,
  conversationId: string,
  after: string | null,
  take: number,
  descending = false,
): Promise<Message[]> {
  const beyond = after
    ? Prisma.sql`AND "id" ${Prisma.raw(descending ? '<' : '>')} ${after}`
    : Prisma.empty;
  return db.$queryRaw<Message[]>`
    SELECT * FROM "Message" WHERE "conversationId" = ${conversationId} ${beyond}
    ORDER BY "id" ${Prisma.raw(descending ? 'DESC' : 'ASC')} LIMIT ${take}`;
}

/** One message of a conversation by its canonical id, or undefined. */
export async function selectMessage(
  db: Db,
  conversationId: string,
  id: string,
): Promise<Message | undefined> {
  const rows = await db.$queryRaw<Message[]>`
    SELECT * FROM "Message" WHERE "conversationId" = ${conversationId} AND "id" = ${id} LIMIT 1`;
  return rows[0];
}
