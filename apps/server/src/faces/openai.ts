/**
 * OpenAI's Conversations API under /openai/v1 (Dify owns /v1), so an unchanged `openai` client
 * with `baseURL: 'http://host/openai/v1'` works: conversations with metadata, and their items.
 * Ids are `conv_` and `msg_` + lower-case ULID (the conversation id is orq's rendering of the
 * same 128 bits), times unix seconds, errors `{ error: { message, type, param, code } }`.
 *
 * Items are Parley's messages, so only message items are kept: roles user, assistant and system,
 * and `developer` stored as `system` (the instructions role under its newer name; it reads back
 * as `system`). Tool calls, reasoning and other item types, and image, file or audio parts, are
 * refused with a 400 rather than dropped. Several text parts are stored as one message, joined
 * by a blank line.
 */
import {
  APPEND_BATCH_MAX,
  MESSAGE_CONTENT_MAX_LENGTH,
  METADATA_KEY_MAX_LENGTH,
  METADATA_MAX_PAIRS,
  METADATA_VALUE_MAX_LENGTH,
  metadataSchema,
  renderId,
  type ConversationDto,
  type MessageDto,
  type MessageRole,
} from '@parley/api';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { FaceError } from './kit/problem.ts';
import { route, type Face } from './kit/route.ts';
import { openAiDialect } from './openai-dialect.ts';

const BASE = '/openai/v1/conversations';
const MESSAGE_ID = /^msg_([0-7][0-9a-hjkmnp-tv-z]{25})$/;

const conversationId = (id: string) => renderId(id, 'orq');
const itemId = (id: string) => `msg_${id.toLowerCase()}`;
/** A `msg_` id back to the canonical ULID, or undefined (then nothing can match it). */
const parseItemId = (id: string) => MESSAGE_ID.exec(id)?.[1]?.toUpperCase();
const BAD_AFTER = 'Expected an item id (msg_…).';
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

// ---- what the face answers ---------------------------------------------------------------------

const Metadata = z
  .record(z.string().max(METADATA_KEY_MAX_LENGTH), z.string().max(METADATA_VALUE_MAX_LENGTH))
  .meta({
    id: 'OpenAIMetadata',
    description: `Up to ${METADATA_MAX_PAIRS} string pairs: keys up to ${METADATA_KEY_MAX_LENGTH} characters, values up to ${METADATA_VALUE_MAX_LENGTH}.`,
    maxProperties: METADATA_MAX_PAIRS,
  });

const Conversation = z
  .object({
    id: z.string().meta({ example: 'conv_01kbmyap3vzc6mtbwbdqtegan2' }),
    object: z.literal('conversation'),
    created_at: z.int().meta({ description: 'Unix seconds.' }),
    metadata: Metadata,
  })
  .meta({ id: 'OpenAIConversation' });

const InputText = z.object({ type: z.literal('input_text'), text: z.string() });
const OutputText = z.object({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(z.unknown()),
});

const Message = z
  .object({
    type: z.literal('message'),
    id: z.string().meta({ example: 'msg_01kbmyap3vzc6mtbwbdqtegan2' }),
    status: z.literal('completed'),
    role: z.enum(['user', 'assistant', 'system']),
    content: z.array(z.union([InputText, OutputText])),
  })
  .meta({
    id: 'OpenAIMessageItem',
    description:
      'user and system content as input_text parts, assistant content as output_text parts.',
  });

const ItemList = z
  .object({
    object: z.literal('list'),
    data: z.array(Message),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  })
  .meta({ id: 'OpenAIConversationItemList' });

const Deleted = z
  .object({
    id: z.string(),
    object: z.literal('conversation.deleted'),
    deleted: z.literal(true),
  })
  .meta({ id: 'OpenAIConversationDeleted' });

function renderConversation(c: ConversationDto): z.infer<typeof Conversation> {
  return {
    id: conversationId(c.id),
    object: 'conversation',
    created_at: seconds(c.createdAt),
    metadata: c.metadata,
  };
}

function renderItem(m: MessageDto): z.infer<typeof Message> {
  return {
    type: 'message',
    id: itemId(m.id),
    status: 'completed',
    role: m.role === 'assistant' || m.role === 'system' ? m.role : 'user',
    content: [
      m.role === 'assistant'
        ? { type: 'output_text', text: m.content, annotations: [] }
        : { type: 'input_text', text: m.content },
    ],
  };
}

function renderList(items: MessageDto[], hasMore: boolean): z.infer<typeof ItemList> {
  return {
    object: 'list',
    data: items.map(renderItem),
    first_id: items[0] ? itemId(items[0].id) : null,
    last_id: items.at(-1) ? itemId(items.at(-1)!.id) : null,
    has_more: hasMore,
  };
}

// ---- what the face reads -----------------------------------------------------------------------

const ROLES = ['user', 'assistant', 'system', 'developer'] as const;

const textPart = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('input_text'), text: z.string() }),
    z.object({
      type: z.literal('output_text'),
      text: z.string(),
      annotations: z.array(z.unknown()).optional(),
    }),
  ],
  { error: 'Only input_text and output_text content parts are supported.' },
);

/** A message item as input: the easy form ({ role, content }) or the full one, ids ignored. */
const InputItem = z
  .object({
    type: z
      .literal('message', { error: 'Only message items are supported.' })
      .optional()
      .meta({ description: 'Only message items are kept (Parley stores messages).' }),
    role: z.enum(ROLES, {
      error: 'role must be one of user, assistant, system or developer.',
    }),
    content: z.union([z.string(), z.array(textPart).min(1)]).meta({
      description:
        'A string, or input_text/output_text parts (stored as one message, joined by a blank line).',
    }),
  })
  .transform((item, ctx) => {
    const content =
      typeof item.content === 'string'
        ? item.content
        : item.content.map((part) => part.text).join('\n\n');
    if (content.length === 0) {
      ctx.addIssue({
        code: 'too_small',
        origin: 'string',
        minimum: 1,
        inclusive: true,
        path: ['content'],
        input: item.content,
        message: 'The content must not be empty.',
      });
      return z.NEVER;
    }
    if (content.length > MESSAGE_CONTENT_MAX_LENGTH) {
      ctx.addIssue({
        code: 'too_big',
        origin: 'string',
        maximum: MESSAGE_CONTENT_MAX_LENGTH,
        inclusive: true,
        path: ['content'],
        input: item.content,
        message: `The content may be at most ${MESSAGE_CONTENT_MAX_LENGTH} characters long.`,
      });
      return z.NEVER;
    }
    if (!content.isWellFormed()) {
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        input: content,
        message: 'Invalid Unicode.',
      });
      return z.NEVER;
    }
    // `developer` is the instructions role under its newer name: stored as `system`.
    const role: MessageRole = item.role === 'developer' ? 'system' : item.role;
    return { role, content };
  });

const items = z
  .array(InputItem)
  .max(APPEND_BATCH_MAX)
  .meta({ description: `At most ${APPEND_BATCH_MAX} message items.` });

const conversationParams = z.object({
  conversation_id: z.string().meta({ example: 'conv_01kbmyap3vzc6mtbwbdqtegan2' }),
});
const itemParams = conversationParams.extend({
  item_id: z.string().meta({ example: 'msg_01kbmyap3vzc6mtbwbdqtegan2' }),
});
/** Accepted for compatibility; Parley's items carry nothing more to include. */
const include = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .meta({ description: 'Accepted and ignored: message items have no extra fields.' });

/** Item routes: a missing item reads as OpenAI's "not found" for that item. */
async function forItem<T>(id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TRPCError && error.message === 'Message not found.') {
      throw new FaceError({ kind: 'not_found', message: `No item found with id '${id}'.` });
    }
    throw error;
  }
}

export const openAiFace: Face = {
  name: 'OpenAI',
  description: 'OpenAI Conversations (`/openai/v1/conversations`), for the `openai` SDKs.',
  dialect: openAiDialect,
  routes: [
    route({
      method: 'post',
      path: BASE,
      operationId: 'createConversation',
      summary: 'Create a conversation',
      description: `With up to ${APPEND_BATCH_MAX} initial items and metadata. The title is Parley's default until the first user message names it (with automatic titles on).`,
      body: z.object({
        items: items.nullish(),
        metadata: metadataSchema.nullish(),
      }),
      bodyOptional: true,
      precondition: 'idempotency-key',
      success: { status: 200, description: 'The conversation.', schema: Conversation },
      errors: [400, 401, 413, 429],
      async handler({ api, body, idempotencyKey }) {
        const { conversation } = await api.conversation.createWithMessages({
          metadata: body.metadata ?? undefined,
          messages: body.items ?? undefined,
          idempotencyKey,
        });
        return { body: renderConversation(conversation), version: conversation.version };
      },
    }),
    route({
      method: 'get',
      path: `${BASE}/{conversation_id}`,
      operationId: 'getConversation',
      summary: 'Retrieve a conversation',
      params: conversationParams,
      success: { status: 200, description: 'The conversation.', schema: Conversation },
      errors: [401, 404, 429],
      async handler({ api, params }) {
        const c = await api.conversation.get({ id: params.conversation_id });
        return { body: renderConversation(c), version: c.version };
      },
    }),
    route({
      method: 'post',
      path: `${BASE}/{conversation_id}`,
      operationId: 'updateConversation',
      summary: 'Update a conversation',
      description: 'Replaces the metadata whole (`null` clears it).',
      params: conversationParams,
      body: z.object({ metadata: metadataSchema.nullable() }),
      precondition: 'if-match',
      success: { status: 200, description: 'The conversation.', schema: Conversation },
      errors: [400, 401, 404, 412, 429],
      async handler({ api, params, body, expectedVersion }) {
        const c = await api.conversation.setMetadata({
          id: params.conversation_id,
          metadata: body.metadata ?? {},
          expectedVersion,
        });
        return { body: renderConversation(c), version: c.version };
      },
    }),
    route({
      method: 'delete',
      path: `${BASE}/{conversation_id}`,
      operationId: 'deleteConversation',
      summary: 'Delete a conversation',
      description: 'Deletes the conversation with its items.',
      params: conversationParams,
      success: { status: 200, description: 'Deleted.', schema: Deleted },
      errors: [401, 404, 429],
      async handler({ api, params }) {
        const { id } = await api.conversation.delete({ id: params.conversation_id });
        return {
          body: { id: conversationId(id), object: 'conversation.deleted', deleted: true },
        };
      },
    }),
    route({
      method: 'get',
      path: `${BASE}/{conversation_id}/items`,
      operationId: 'listConversationItems',
      summary: 'List items',
      description:
        'Newest first by default; page with `after` (the `last_id` of the previous page).',
      params: conversationParams,
      query: z.object({
        after: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
        order: z.enum(['asc', 'desc']).default('desc'),
        include,
      }),
      success: { status: 200, description: 'A page of items.', schema: ItemList },
      errors: [400, 401, 404, 429],
      async handler({ api, params, query }) {
        const cursor = query.after === undefined ? undefined : parseItemId(query.after);
        if (query.after !== undefined && !cursor) {
          throw new FaceError({
            kind: 'invalid',
            issues: [
              {
                in: 'query',
                path: ['after'],
                message: BAD_AFTER,
                zod: { code: 'custom', path: ['after'], message: BAD_AFTER, input: query.after },
              },
            ],
          });
        }
        const page = await api.message.list({
          conversationId: params.conversation_id,
          limit: query.limit,
          cursor,
          order: query.order,
        });
        return { body: renderList(page.items, page.nextCursor !== null) };
      },
    }),
    route({
      method: 'post',
      path: `${BASE}/{conversation_id}/items`,
      operationId: 'createConversationItems',
      summary: 'Create items',
      description: `Adds up to ${APPEND_BATCH_MAX} items, in order: all of them, or none.`,
      params: conversationParams,
      query: z.object({ include }),
      body: z.object({ items: items.min(1) }),
      success: { status: 200, description: 'The items created.', schema: ItemList },
      errors: [400, 401, 404, 413, 429],
      async handler({ api, params, body }) {
        const created = await api.message.appendMany({
          conversationId: params.conversation_id,
          messages: body.items,
        });
        return { body: renderList(created, false) };
      },
    }),
    route({
      method: 'get',
      path: `${BASE}/{conversation_id}/items/{item_id}`,
      operationId: 'getConversationItem',
      summary: 'Retrieve an item',
      params: itemParams,
      query: z.object({ include }),
      success: { status: 200, description: 'The item.', schema: Message },
      errors: [400, 401, 404, 429],
      async handler({ api, params }) {
        const message = await forItem(params.item_id, () =>
          api.message.get({
            conversationId: params.conversation_id,
            id: parseItemId(params.item_id) ?? '',
          }),
        );
        return { body: renderItem(message) };
      },
    }),
    route({
      method: 'delete',
      path: `${BASE}/{conversation_id}/items/{item_id}`,
      operationId: 'deleteConversationItem',
      summary: 'Delete an item',
      params: itemParams,
      success: {
        status: 200,
        description: 'The conversation, without the item.',
        schema: Conversation,
      },
      errors: [401, 404, 429],
      async handler({ api, params }) {
        const c = await forItem(params.item_id, () =>
          api.message.delete({
            conversationId: params.conversation_id,
            id: parseItemId(params.item_id) ?? '',
          }),
        );
        return { body: renderConversation(c), version: c.version };
      },
    }),
  ],
};
