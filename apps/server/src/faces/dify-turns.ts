/**
 * Dify's message history in Parley's terms. One Dify message is one turn: an end user's query
 * and the answer that follows it. Parley stores role/content messages, so a turn is:
 *
 * - a user message and every assistant message after it, up to the next user message (the
 *   assistant messages are the answer, joined by a blank line: they are the parts of one reply,
 *   and keeping them all loses nothing, where the last alone would drop text);
 * - the assistant messages before the first user message, when there are any: a turn with an
 *   empty query (a greeting, like Dify's opening statement);
 * - system messages are in no turn: Dify keeps its instructions in the app's configuration, never
 *   in a conversation's history.
 *
 * A user message with no answer yet is a turn with an empty answer. A turn's id is its first
 * message's id (the user message's, or the leading assistant message's): the `first_id` a client
 * pages back with.
 */
import type { MessageDto } from '@parley/api';
import type { Caller } from './kit/route.ts';

export interface Turn {
  /** The message whose id is the turn's: the user message, or the first leading assistant one. */
  start: MessageDto;
  /** The user's message, absent for the leading assistant turn. */
  query: MessageDto | undefined;
  /** The assistant messages that answer it, oldest first. */
  answers: MessageDto[];
}

/** How many messages one read of the history takes. */
const PAGE = 100;

/**
 * Up to `count` turns that end before the message `before` (or the newest turns), newest first.
 * Reads the history backwards page by page and stops as soon as it has them: the cost is the
 * messages of those turns, whatever the length of the conversation.
 */
export async function turnsBefore(
  api: Caller,
  conversationId: string,
  before: string | null,
  count: number,
): Promise<Turn[]> {
  const turns: Turn[] = [];
  /** Assistant messages seen (newest first) whose user message is still further back. */
  let answers: MessageDto[] = [];
  let cursor = before;
  for (;;) {
    const page = await api.message.list({ conversationId, limit: PAGE, cursor, order: 'desc' });
    for (const message of page.items) {
      if (message.role === 'assistant') answers.push(message);
      if (message.role !== 'user') continue;
      turns.push({ start: message, query: message, answers: answers.reverse() });
      answers = [];
      if (turns.length === count) return turns;
    }
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  // Back at the first message: assistant messages before any user message are a turn of their own.
  if (answers.length > 0) {
    const leading = answers.reverse();
    turns.push({ start: leading[0]!, query: undefined, answers: leading });
  }
  return turns;
}

/**
 * Whether a message begins a turn (so its id is a Dify message id): a user message, or the first
 * assistant message when no user message comes before it.
 */
export async function startsTurn(
  api: Caller,
  conversationId: string,
  message: MessageDto,
): Promise<boolean> {
  if (message.role === 'user') return true;
  if (message.role !== 'assistant') return false;
  let cursor: string | null = message.id;
  while (cursor) {
    const page = await api.message.list({ conversationId, limit: PAGE, cursor, order: 'desc' });
    if (page.items.some((m) => m.role !== 'system')) return false;
    cursor = page.nextCursor;
  }
  return true;
}
