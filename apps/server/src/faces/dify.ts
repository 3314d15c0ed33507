/**
 * Dify's conversation API under /v1: the same 128 bits shown as a UUID, times in unix seconds,
 * the end user named by `user` inside the key's organization, errors as { code, message, status }
 * (dify-dialect.ts). The message history, GET /v1/messages, is in dify-messages.ts.
 */
import { normalizeTitle, renderId, type ConversationDto, type ConversationSort } from '@parley/api';
import { z } from 'zod';
import { difyDialect, difyId, pageLimit, seconds, user } from './dify-dialect.ts';
import { difyMessagesRoute } from './dify-messages.ts';
import { FaceError } from './kit/problem.ts';
import { route, type Face } from './kit/route.ts';

const DifyConversation = z
  .object({
    id: difyId('Conversation ID'),
    name: z.string(),
    inputs: z.record(z.string(), z.unknown()),
    status: z.string(),
    introduction: z.string().nullable(),
    created_at: z.int(),
    updated_at: z.int(),
  })
  .meta({ id: 'DifyConversationListItem' });

const DifyConversationList = z
  .object({ limit: z.int(), has_more: z.boolean(), data: z.array(DifyConversation) })
  .meta({ id: 'DifyConversationsListResponse' });

function render(c: ConversationDto): z.infer<typeof DifyConversation> {
  return {
    id: renderId(c.id, 'uuid'),
    name: c.title,
    inputs: {},
    status: 'normal',
    introduction: '',
    created_at: seconds(c.createdAt),
    updated_at: seconds(c.updatedAt),
  };
}

/**
 * Rename's body. The name is held to Parley's title rule here, under Dify's field name, so no
 * error ever speaks of the router's `title`; without auto_generate, a missing or blank name is
 * refused in Dify's own words.
 */
const renameBody = z
  .object({
    name: z.string().nullish(),
    auto_generate: z.boolean().default(false),
    user,
  })
  .transform((body, ctx) => {
    if (body.auto_generate) return { ...body, auto_generate: true as const, name: undefined };
    const name = normalizeTitle(body.name ?? '', 'name');
    if (name.ok) return { ...body, auto_generate: false as const, name: name.title };
    ctx.addIssue({
      code: 'custom',
      path: ['name'],
      message:
        name.problem === 'empty' ? 'name is required when auto_generate is false' : name.message,
      input: body.name,
    });
    return z.NEVER;
  });

const idParams = z.object({
  conversation_id: z.string().meta({ description: 'Conversation ID.' }),
});

const SORTS: Record<string, ConversationSort> = {
  created_at: 'createdAt',
  '-created_at': '-createdAt',
  updated_at: 'updatedAt',
  '-updated_at': '-updatedAt',
};

export const difyFace: Face = {
  name: 'Dify',
  description:
    'Dify chat-app conversations (`/v1/conversations`) and their history (`/v1/messages`), as ' +
    'its Service API and SDKs call them.',
  dialect: difyDialect,
  routes: [
    route({
      method: 'post',
      path: '/v1/conversations/{conversation_id}/name',
      operationId: 'renameConversation',
      summary: 'Rename Conversation',
      description:
        'Renames a conversation, or auto-generates a name from its first message when `auto_generate` is `true`.',
      params: idParams,
      body: renameBody,
      precondition: 'if-match',
      success: {
        status: 200,
        description: 'Conversation renamed successfully.',
        schema: DifyConversation,
      },
      errors: [400, 401, 404, 412, 413, 429],
      async handler({ as, params, body, expectedVersion }) {
        const api = await as(body.user);
        const id = params.conversation_id;
        if (body.auto_generate) {
          const c = await api.conversation.generateTitle({ id });
          return { body: render(c), version: c.version };
        }
        const c = await api.conversation.rename({ id, title: body.name, expectedVersion });
        return { body: render(c), version: c.version };
      },
    }),
    route({
      method: 'get',
      path: '/v1/conversations',
      operationId: 'getConversationsList',
      summary: 'List Conversations',
      description: 'Lists an end user’s conversations, most recently active first.',
      query: z.object({
        user: user.optional(),
        last_id: z
          .string()
          .optional()
          .meta({ description: 'The `id` of the last conversation on the current page.' }),
        first_id: z
          .string()
          .optional()
          .meta({ description: 'Older SDKs’ name for `last_id`.', deprecated: true }),
        limit: pageLimit,
        sort_by: z
          .enum(['created_at', '-created_at', 'updated_at', '-updated_at'])
          .default('-updated_at'),
        pinned: z.enum(['true', 'false']).optional().meta({
          description:
            'Only pinned (`true`) or only unpinned (`false`) conversations. Archived ones are never listed.',
        }),
      }),
      success: {
        status: 200,
        description: 'Successfully retrieved conversations list.',
        schema: DifyConversationList,
      },
      errors: [400, 401, 404, 429],
      async handler({ api, as, query }) {
        const caller = query.user ? await as(query.user) : api;
        const lastId = query.last_id ?? query.first_id;
        try {
          const page = await caller.conversation.list({
            limit: query.limit,
            after: lastId,
            sort: SORTS[query.sort_by],
            ...(query.pinned && { pinned: query.pinned === 'true' }),
          });
          return {
            body: { limit: query.limit, has_more: page.hasMore, data: page.items.map(render) },
          };
        } catch (error) {
          if (lastId && (error as { code?: string }).code === 'NOT_FOUND') {
            throw new FaceError({ kind: 'not_found', message: 'Last Conversation Not Exists.' });
          }
          throw error;
        }
      },
    }),
    route({
      method: 'delete',
      path: '/v1/conversations/{conversation_id}',
      operationId: 'deleteConversation',
      summary: 'Delete Conversation',
      params: idParams,
      body: z.object({ user: user.optional() }),
      bodyOptional: true,
      success: {
        status: 204,
        description: 'Conversation deleted successfully. No content returned.',
      },
      errors: [400, 401, 404, 429],
      async handler({ api, as, params, body }) {
        const caller = body.user ? await as(body.user) : api;
        await caller.conversation.delete({ id: params.conversation_id });
        return {};
      },
    }),
    difyMessagesRoute,
  ],
};
