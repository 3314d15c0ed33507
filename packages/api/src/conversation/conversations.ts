/**
 * Conversation operations for one caller. Every query is scoped to the caller's user, so a
 * conversation of someone else is indistinguishable from an unknown id: NOT_FOUND, never FORBIDDEN.
 */
import type { Db } from '@parley/db';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import { isUniqueViolation } from '../data/db-errors.ts';
import {
  toConversationDto,
  toMessageDto,
  type ConversationDto,
  type MessageDto,
} from '../data/dto.ts';
import {
  insertConversationWithMessages,
  selectByIdempotencyKey,
  selectPage,
  writeMetadata,
  writeTitle,
} from '../data/statements.ts';
import { decodeCursor, encodeCursor, type ConversationPosition } from '../rules/cursor.ts';
import { newId } from '../rules/ids.ts';
import type {
  createConversationInput,
  listConversationsInput,
  renameConversationInput,
  setMetadataInput,
} from '../rules/schemas.ts';
import { notFound, refuseUnmatchedWrite, requireId, requireOwnedConversation } from './access.ts';
import type { ConversationEvents } from '../deps/conversation-events.ts';
import { nameUntitledInBackground, type NamingDeps } from './naming.ts';

export const DEFAULT_TITLE = 'New conversation';
export const DEFAULT_MODEL = 'default';

export async function getConversation(
  db: Db,
  caller: Principal,
  rawId: string,
): Promise<ConversationDto> {
  return toConversationDto(await requireOwnedConversation(db, caller, rawId));
}

/**
 * Creates a conversation, with its first messages (in one transaction) when given. An untitled
 * one with a user message among them is named in the background when `naming` is given, as an
 * append would name it. A replayed idempotency key adds no messages.
 */
export async function createConversation(
  db: Db,
  caller: Principal,
  input: z.output<typeof createConversationInput>,
  events: ConversationEvents,
  naming?: NamingDeps,
): Promise<ConversationDto> {
  return (await createConversationWithMessages(db, caller, input, events, naming)).conversation;
}

export async function createConversationWithMessages(
  db: Db,
  caller: Principal,
  input: z.output<typeof createConversationInput>,
  events: ConversationEvents,
  naming?: NamingDeps,
): Promise<{ conversation: ConversationDto; messages: MessageDto[] }> {
  const { idempotencyKey } = input;
  if (idempotencyKey) {
    const first = await findByIdempotencyKey(db, caller, idempotencyKey);
    if (first) return { conversation: first, messages: [] };
  }
  const now = new Date();
  const id = newId();
  try {
    const stored = await insertConversationWithMessages(
      db,
      {
        id,
        orgId: caller.orgId,
        userId: caller.userId,
        title: input.title ?? DEFAULT_TITLE,
        titleSource: input.title ? 'user' : 'default',
        model: input.model ?? DEFAULT_MODEL,
        userDisplay: input.userDisplay ?? null,
        timezone: input.timezone ?? null,
        idempotencyKey: idempotencyKey ?? null,
        createdAt: now,
        updatedAt: now,
        createdById: caller.userId,
        updatedById: caller.userId,
        metadata: JSON.stringify(input.metadata ?? {}),
      },
      (input.messages ?? []).map((m) => ({
        id: newId(),
        conversationId: id,
        role: m.role,
        content: m.content,
        createdAt: now,
      })),
    );
    const conversation = toConversationDto(stored.conversation);
    const messages = stored.messages.map(toMessageDto);
    events.publish(caller.userId, { type: 'created', conversation });
    for (const message of messages)
      events.publish(caller.userId, { type: 'message_appended', message });
    if (naming && !input.title && messages.some((m) => m.role === 'user')) {
      nameUntitledInBackground(naming, caller, id);
    }
    return { conversation, messages };
  } catch (error) {
    // Two concurrent creates with one key: the unique index lets one win; the other replays it.
    if (idempotencyKey && isUniqueViolation(error)) {
      const first = await findByIdempotencyKey(db, caller, idempotencyKey);
      if (first) return { conversation: first, messages: [] };
    }
    throw error;
  }
}

async function findByIdempotencyKey(
  db: Db,
  caller: Principal,
  key: string,
): Promise<ConversationDto | null> {
  const row = await selectByIdempotencyKey(db, caller.userId, key);
  return row ? toConversationDto(row) : null;
}

/**
 * Renames in one statement (UPDATE … RETURNING) that also checks the owner and, when given, the
 * expected version; only when it matches nothing do we look again to tell NOT_FOUND from CONFLICT.
 */
export async function renameConversation(
  db: Db,
  caller: Principal,
  input: z.output<typeof renameConversationInput>,
  events: ConversationEvents,
): Promise<ConversationDto> {
  const id = requireId(input.id);
  const row = await writeTitle(db, {
    id,
    userId: caller.userId,
    title: input.title,
    titleSource: 'user',
    expectedVersion: input.expectedVersion,
  });
  if (row) {
    const conversation = toConversationDto(row);
    events.publish(caller.userId, { type: 'renamed', conversation });
    return conversation;
  }
  return refuseUnmatchedWrite(db, caller, id, input.expectedVersion);
}

/** Replaces the metadata whole, with the same owner and version checks as a rename. */
export async function setConversationMetadata(
  db: Db,
  caller: Principal,
  input: z.output<typeof setMetadataInput>,
  events: ConversationEvents,
): Promise<ConversationDto> {
  const id = requireId(input.id);
  const row = await writeMetadata(db, {
    id,
    userId: caller.userId,
    metadata: JSON.stringify(input.metadata),
    expectedVersion: input.expectedVersion,
  });
  if (row) {
    const conversation = toConversationDto(row);
    events.publish(caller.userId, { type: 'updated', conversation });
    return conversation;
  }
  return refuseUnmatchedWrite(db, caller, id, input.expectedVersion);
}

export async function deleteConversation(
  db: Db,
  caller: Principal,
  rawId: string,
  events: ConversationEvents,
): Promise<{ id: string }> {
  const id = requireId(rawId);
  const { count } = await db.conversation.deleteMany({ where: { id, userId: caller.userId } });
  if (count === 0) throw notFound();
  events.publish(caller.userId, { type: 'deleted', id });
  return { id };
}

export interface ConversationPage {
  items: ConversationDto[];
  /** Whether more rows follow in the direction of the page (after the last, or before the first). */
  hasMore: boolean;
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * One page by keyset on (sort field, id): no offsets, the same cost at any depth. The position
 * is a cursor, or a conversation id (`after`/`before`, as vendor APIs page); an anchor the caller
 * does not own is NOT_FOUND, like any other id.
 */
export async function listConversations(
  db: Db,
  caller: Principal,
  input: z.output<typeof listConversationsInput>,
): Promise<ConversationPage> {
  const field = input.sort.endsWith('updatedAt') ? 'updatedAt' : 'createdAt';
  const descending = input.sort.startsWith('-');
  // A `before` page walks backwards from its anchor, then is put back in list order.
  const backwards = input.before !== undefined;
  const position = await startPosition(db, caller, input, field);
  const walkDescending = descending !== backwards;

  const rows = await selectPage(db, {
    userId: caller.userId,
    field,
    descending: walkDescending,
    after: position,
    take: input.limit + 1,
    archived: { exclude: false, include: undefined, only: true }[input.archived],
    pinned: input.pinned,
  });
  const hasMore = rows.length > input.limit;
  const page = rows.slice(0, input.limit);
  if (backwards) page.reverse();
  const last = page.at(-1);
  return {
    items: page.map(toConversationDto),
    hasMore,
    nextCursor:
      !backwards && hasMore && last
        ? encodeCursor(input.sort, { at: last[field], id: last.id })
        : null,
  };
}

async function startPosition(
  db: Db,
  caller: Principal,
  input: z.output<typeof listConversationsInput>,
  field: 'updatedAt' | 'createdAt',
): Promise<ConversationPosition | null> {
  if (input.cursor) {
    const position = decodeCursor(input.sort, input.cursor);
    if (!position) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor.' });
    return position;
  }
  const anchor = input.after ?? input.before;
  if (anchor === undefined) return null;
  const row = await requireOwnedConversation(db, caller, anchor);
  return { at: row[field], id: row.id };
}
