/**
 * Naming a conversation automatically without ever overwriting a person: the generated title is
 * written only if the conversation is still at the version it had when generation started.
 */
import type { Db } from '@parley/db';
import { TRPCError } from '@trpc/server';
import type { Principal } from '../auth/principal.ts';
import { toConversationDto, type ConversationDto } from '../data/dto.ts';
import { writeTitle } from '../data/statements.ts';
import type { ApiLogger } from '../deps/api-deps.ts';
import type { ConversationEvents } from '../deps/conversation-events.ts';
import type { TitleGenerator } from '../deps/title-generators.ts';
import { requireId, requireOwnedConversation } from './access.ts';

export async function generateConversationTitle(
  deps: { db: Db; titleGenerator: TitleGenerator; logger: ApiLogger; events: ConversationEvents },
  caller: Principal,
  rawId: string,
): Promise<ConversationDto> {
  const { db } = deps;
  const id = requireId(rawId);
  const before = await requireOwnedConversation(db, caller, id);
  const first = await db.message.findFirst({
    where: { conversationId: id, role: 'user' },
    orderBy: { id: 'asc' },
    select: { content: true },
  });
  if (!first) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: 'The conversation has no user message to name it from.',
    });
  }

  let title: string;
  try {
    title = await deps.titleGenerator.generate(first.content);
  } catch (error) {
    // A naming service that is down must not break the chat: keep the current title.
    deps.logger.warn({ err: error, conversationId: id }, 'title generation failed; title kept');
    return toConversationDto(before);
  }

  const row = await writeTitle(db, {
    id,
    userId: caller.userId,
    title,
    titleSource: 'generated',
    expectedVersion: before.version,
  });
  if (row) {
    const conversation = toConversationDto(row);
    deps.events.publish(caller.userId, { type: 'renamed', conversation });
    return conversation;
  }
  // Renamed (or deleted) while we were generating: the person's change wins.
  return toConversationDto(await requireOwnedConversation(db, caller, id));
}
