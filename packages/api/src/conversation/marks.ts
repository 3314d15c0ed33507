/**
 * Pin and archive: marks the owner puts on a conversation to organise the list. Each is a time
 * (when it was set) or null. Setting a mark that is already set, or clearing one that is clear,
 * changes nothing and answers the conversation as it is; a change counts the version like any
 * other, so an ETag or expectedVersion taken before it no longer matches.
 */
import type { Db } from '@parley/db';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import { toConversationDto, type ConversationDto } from '../data/dto.ts';
import { writeMark, type ConversationMark } from '../data/statements.ts';
import type { ConversationEvents } from '../deps/conversation-events.ts';
import type { markConversationInput } from '../rules/schemas.ts';
import { requireId, requireOwnedAtVersion } from './access.ts';

export async function markConversation(
  db: Db,
  caller: Principal,
  input: z.output<typeof markConversationInput>,
  mark: ConversationMark,
  on: boolean,
  events: ConversationEvents,
): Promise<ConversationDto> {
  const id = requireId(input.id);
  const written = await writeMark(db, {
    id,
    userId: caller.userId,
    mark,
    on,
    expectedVersion: input.expectedVersion,
  });
  if (written) {
    const conversation = toConversationDto(written);
    events.publish(caller.userId, { type: 'updated', conversation });
    return conversation;
  }
  // Nothing matched: unknown, at another version, or already so (then answered as it is).
  return toConversationDto(await requireOwnedAtVersion(db, caller, id, input.expectedVersion));
}
