/**
 * Naming a conversation automatically without ever overwriting a person: the generated title is
 * written only if the conversation is still at the version it had when generation started. On
 * request (Dify's auto_generate, orq's generate-name, the web app's action), and by itself when a
 * user message arrives in a conversation that still has its default title (automatic titles).
 */
import type { Conversation, Db } from '@parley/db';
import { TRPCError } from '@trpc/server';
import type { Principal } from '../auth/principal.ts';
import { toConversationDto, type ConversationDto } from '../data/dto.ts';
import { selectOwned, writeTitle } from '../data/statements.ts';
import type { ApiLogger } from '../deps/api-deps.ts';
import type { BackgroundTasks } from '../deps/background-tasks.ts';
import type { ConversationEvents } from '../deps/conversation-events.ts';
import type { TitleGenerator } from '../deps/title-generators.ts';
import { requireId, requireOwnedConversation } from './access.ts';

/** What naming a conversation needs from the API's dependencies. */
export interface NamingDeps {
  db: Db;
  titleGenerator: TitleGenerator;
  logger: ApiLogger;
  events: ConversationEvents;
  tasks: BackgroundTasks;
}

export async function generateConversationTitle(
  deps: NamingDeps,
  caller: Principal,
  rawId: string,
): Promise<ConversationDto> {
  const { db } = deps;
  const id = requireId(rawId);
  const before = await requireOwnedConversation(db, caller, id);
  return nameFromFirstUserMessage(deps, caller, before);
}

/**
 * Automatic titles: names the conversation in the background if it still has its default title
 * (a person's title, or one generated before, is never replaced this way). The append that
 * triggers it does not wait; the new title reaches pages as a `renamed` event. Failures are
 * logged and keep the default title.
 */
export function nameUntitledInBackground(
  deps: NamingDeps,
  caller: Principal,
  conversationId: string,
): void {
  deps.tasks.run('automatic title', async () => {
    const before = await selectOwned(deps.db, conversationId, caller.userId);
    if (before?.titleSource === 'default') await nameFromFirstUserMessage(deps, caller, before);
  });
}

async function nameFromFirstUserMessage(
  deps: NamingDeps,
  caller: Principal,
  before: Conversation,
): Promise<ConversationDto> {
  const { db } = deps;
  const { id } = before;
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
