/** Messages of a conversation the caller owns; the conversation keeps its count and last time. */
import type { Db } from '@parley/db';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import {
  toConversationDto,
  toMessageDto,
  type ConversationDto,
  type MessageDto,
} from '../data/dto.ts';
import {
  deleteMessageRow,
  insertMessages,
  selectMessage,
  selectMessages,
} from '../data/statements.ts';
import { newId, parseId } from '../rules/ids.ts';
import type {
  appendMessageInput,
  appendMessagesInput,
  listMessagesInput,
  messageByIdInput,
} from '../rules/schemas.ts';
import type { ConversationEvents } from '../deps/conversation-events.ts';
import { notFound, requireId, requireOwnedConversation } from './access.ts';
import { nameUntitledInBackground, type NamingDeps } from './naming.ts';

/**
 * Appends in one transaction with the counters, so messageCount and lastMessageAt are always
 * exact and cheap to read. It does not change the version: a rename racing a chat stays valid.
 * With `naming` (automatic titles on), a user message names a conversation that still has its
 * default title, in the background.
 */
export async function appendMessage(
  db: Db,
  caller: Principal,
  input: z.output<typeof appendMessageInput>,
  events: ConversationEvents,
  naming?: NamingDeps,
): Promise<MessageDto> {
  const { conversationId, role, content } = input;
  const [message] = await appendMessages(
    db,
    caller,
    { conversationId, messages: [{ role, content }] },
    events,
    naming,
  );
  return message!;
}

/** Several messages in order, in one transaction (all or none); ids follow the same order. */
export async function appendMessages(
  db: Db,
  caller: Principal,
  input: z.output<typeof appendMessagesInput>,
  events: ConversationEvents,
  naming?: NamingDeps,
): Promise<MessageDto[]> {
  const conversationId = requireId(input.conversationId);
  const createdAt = new Date();
  const inserted = await insertMessages(
    db,
    caller.userId,
    input.messages.map((m) => ({
      id: newId(),
      conversationId,
      role: m.role,
      content: m.content,
      createdAt,
    })),
  );
  if (!inserted) throw notFound();
  const messages = inserted.messages.map(toMessageDto);
  for (const message of messages)
    events.publish(caller.userId, { type: 'message_appended', message });
  // Only an untitled conversation is worth the background work; naming checks again itself.
  if (naming && inserted.titleSource === 'default' && messages.some((m) => m.role === 'user')) {
    nameUntitledInBackground(naming, caller, conversationId);
  }
  return messages;
}

/**
 * Deletes one message of a conversation the caller owns: the conversation as it is after, with
 * its count and last message time adjusted (its version stays, as an append leaves it), or
 * NOT_FOUND for the message or the conversation.
 */
export async function deleteMessage(
  db: Db,
  caller: Principal,
  input: z.output<typeof messageByIdInput>,
  events: ConversationEvents,
): Promise<ConversationDto> {
  const conversation = await requireOwnedConversation(db, caller, input.conversationId);
  const id = parseId(input.id);
  const row = id ? await deleteMessageRow(db, caller.userId, conversation.id, id) : undefined;
  if (!row || !id) throw new TRPCError({ code: 'NOT_FOUND', message: 'Message not found.' });
  events.publish(caller.userId, {
    type: 'message_deleted',
    conversationId: conversation.id,
    id,
  });
  return toConversationDto(row);
}

export interface MessagePage {
  items: MessageDto[];
  nextCursor: string | null;
}

/**
 * Oldest first (or newest first), by keyset on the message id (ids sort by creation time). The
 * cursor is the id of the last message served, so a page costs one index range scan at any depth.
 */
export async function listMessages(
  db: Db,
  caller: Principal,
  input: z.output<typeof listMessagesInput>,
): Promise<MessagePage> {
  const conversationId = requireId(input.conversationId);
  const after = input.cursor ? parseId(input.cursor, ['ulid']) : null;
  if (input.cursor && !after)
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor.' });
  await requireOwnedConversation(db, caller, conversationId);
  const rows = await selectMessages(
    db,
    conversationId,
    after,
    input.limit + 1,
    input.order === 'desc',
  );
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toMessageDto),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** One message of a conversation the caller owns, or NOT_FOUND (for the message or the conversation). */
export async function getMessage(
  db: Db,
  caller: Principal,
  input: z.output<typeof messageByIdInput>,
): Promise<MessageDto> {
  const conversation = await requireOwnedConversation(db, caller, input.conversationId);
  const id = parseId(input.id);
  const row = id ? await selectMessage(db, conversation.id, id) : undefined;
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'Message not found.' });
  return toMessageDto(row);
}
