/**
 * Dify's conversation history, GET /v1/messages, as Dify's own server pages it
 * (MessageService.pagination_by_first_id): the `limit` newest messages older than `first_id` (or
 * the newest), oldest to newest, `has_more` when older ones remain; the client asks for the next
 * (older) page with `first_id` set to the first item's id. A Dify message is a turn of Parley's
 * messages (dify-turns.ts).
 */
import { parseId, renderId, type ConversationDto } from '@parley/api';
import { z } from 'zod';
import { difyId, pageLimit, seconds, user } from './dify-dialect.ts';
import { startsTurn, turnsBefore, type Turn } from './dify-turns.ts';
import { FaceError } from './kit/problem.ts';
import { route, type Caller } from './kit/route.ts';

const DifyMessage = z
  .object({
    id: difyId('Message ID (the id of the turn’s user message)'),
    conversation_id: difyId('Conversation ID'),
    parent_message_id: difyId('The previous message’s ID')
      .nullable()
      .meta({ description: 'The previous (older) message’s ID; null for the first.' }),
    inputs: z.record(z.string(), z.unknown()),
    query: z.string().meta({ description: 'The user’s message; empty for a leading greeting.' }),
    answer: z.string().meta({
      description: 'The assistant’s messages that follow it, joined by a blank line.',
    }),
    feedback: z.object({ rating: z.string() }).nullable(),
    retriever_resources: z.array(z.record(z.string(), z.unknown())),
    created_at: z.int(),
    agent_thoughts: z.array(z.record(z.string(), z.unknown())),
    message_files: z.array(z.record(z.string(), z.unknown())),
    status: z.string(),
    error: z.string().nullable(),
  })
  .meta({ id: 'DifyConversationMessage' });

const DifyMessageList = z
  .object({ limit: z.int(), has_more: z.boolean(), data: z.array(DifyMessage) })
  .meta({ id: 'DifyConversationHistoryResponse' });

function render(
  conversation: ConversationDto,
  turn: Turn,
  parent: Turn | undefined,
): z.infer<typeof DifyMessage> {
  return {
    id: renderId(turn.start.id, 'uuid'),
    conversation_id: renderId(conversation.id, 'uuid'),
    parent_message_id: parent ? renderId(parent.start.id, 'uuid') : null,
    inputs: {},
    query: turn.query?.content ?? '',
    answer: turn.answers.map((m) => m.content).join('\n\n'),
    feedback: null,
    retriever_resources: [],
    created_at: seconds(turn.start.createdAt),
    agent_thoughts: [],
    message_files: [],
    status: 'normal',
    error: null,
  };
}

const FIRST_MESSAGE_NOT_EXISTS = 'First Message Not Exists.';

/** The message `first_id` names, if it starts a turn of this conversation; else 404. */
async function firstMessage(api: Caller, conversationId: string, firstId: string) {
  const notFound = new FaceError({ kind: 'not_found', message: FIRST_MESSAGE_NOT_EXISTS });
  // Dify ids are UUIDs; a malformed one is as unknown as a message that does not exist.
  if (!parseId(firstId, ['uuid'])) throw notFound;
  try {
    const message = await api.message.get({ conversationId, id: firstId });
    if (!(await startsTurn(api, conversationId, message))) throw notFound;
    return message;
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') throw notFound;
    throw error;
  }
}

export const difyMessagesRoute = route({
  method: 'get',
  path: '/v1/messages',
  operationId: 'getConversationHistory',
  summary: 'List Conversation Messages',
  description:
    'A conversation’s history, newest page first, each page oldest to newest. One message is a ' +
    'turn: a user message and the assistant messages after it (joined by a blank line), or ' +
    'the assistant messages before the first user message; system messages are not shown. ' +
    'Pass `first_id` (the first item’s `id`) for the previous, older page.',
  query: z.object({
    conversation_id: z.string().meta({ description: 'The conversation to read.' }),
    user: user.optional(),
    first_id: z
      .string()
      .optional()
      .meta({ description: 'The `id` of the first message on the current page.' }),
    limit: pageLimit,
  }),
  success: {
    status: 200,
    description: 'Successfully retrieved conversation history.',
    schema: DifyMessageList,
  },
  errors: [400, 401, 404, 429],
  async handler({ api, as, query }) {
    const caller = query.user ? await as(query.user) : api;
    // Dify answers an empty conversation_id with an empty page.
    if (!query.conversation_id) return { body: { limit: query.limit, has_more: false, data: [] } };
    const conversation = await caller.conversation.get({ id: query.conversation_id });
    const first = query.first_id
      ? await firstMessage(caller, conversation.id, query.first_id)
      : undefined;
    // One turn more than the page: whether older ones remain, and the oldest one's parent.
    const turns = await turnsBefore(caller, conversation.id, first?.id ?? null, query.limit + 1);
    const page = turns.slice(0, query.limit);
    return {
      body: {
        limit: query.limit,
        has_more: turns.length > query.limit,
        data: page.map((turn, i) => render(conversation, turn, turns[i + 1])).reverse(),
      },
    };
  },
});
