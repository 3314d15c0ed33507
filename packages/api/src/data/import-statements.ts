/**
 * The import's one write: a conversation with all its messages, in one transaction, so a
 * conversation goes in whole or not at all. Off the hot path, so through the model API. A second
 * import of the same source fails on the (userId, idempotencyKey) unique index (isUniqueViolation).
 */
import type { Conversation, Db, Message } from '@parley/db';

/** An imported conversation's row: its counters are given (the messages come with it). */
export type ImportedConversation = Omit<Conversation, 'version'>;

export async function insertImportedConversation(
  db: Db,
  conversation: ImportedConversation,
  messages: Message[],
): Promise<Conversation> {
  return db.$transaction(async (tx) => {
    const row = await tx.conversation.create({ data: conversation });
    if (messages.length > 0) await tx.message.createMany({ data: messages });
    return row;
  });
}
