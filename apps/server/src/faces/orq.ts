/**
 * orq.ai conversations under /v2/conversations: ids are `conv_` + lower-case ULID, times are
 * unix milliseconds, lists are { object: "list", data, has_more }, errors are { message }.
 */
import { namedTitleSchema, renderId, type ConversationDto } from '@parley/api';
import { z } from 'zod';
import { statusOf, type ErrorDialect } from './kit/dialect.ts';
import { describeIssues, type Problem } from './kit/problem.ts';
import { route, type Face } from './kit/route.ts';

const OrqConversation = z
  .object({
    kind: z
      .literal('conversation')
      .meta({ description: 'Type discriminator indicating this is a conversation' }),
    displayName: z
      .string()
      .min(1)
      .max(100)
      .meta({ description: 'Display name for the conversation.' }),
    createdAt: z
      .number()
      .meta({ description: 'Unix timestamp (in milliseconds) when the conversation was created' }),
    updatedAt: z.number().meta({
      description: 'Unix timestamp (in milliseconds) when the conversation was last updated',
    }),
    _id: z.string().meta({
      description: 'ULID of the conversation, prefixed with "conv_"',
      example: 'conv_01kbmyap3vzc6mtbwbdqtegan2',
    }),
    createdById: z.string().optional(),
    updatedById: z.string().optional(),
  })
  .meta({ id: 'OrqConversation' });

const OrqConversationList = z
  .object({ object: z.literal('list'), data: z.array(OrqConversation), has_more: z.boolean() })
  .meta({ id: 'OrqConversationList' });

const OrqError = z.object({ message: z.string() }).meta({ id: 'OrqError' });

const NOT_FOUND =
  'Conversation not found. It may have been deleted, or it belongs to another workspace.';

function render(c: ConversationDto): z.infer<typeof OrqConversation> {
  return {
    kind: 'conversation',
    displayName: c.title,
    createdAt: Date.parse(c.createdAt),
    updatedAt: Date.parse(c.updatedAt),
    _id: renderId(c.id, 'orq'),
    createdById: c.createdById,
    updatedById: c.updatedById,
  };
}

function message(problem: Problem): string {
  switch (problem.kind) {
    case 'invalid':
      return describeIssues(problem.issues);
    case 'malformed_json':
      return `Invalid JSON body: ${problem.message}`;
    case 'bad_request':
    case 'conflict':
      return problem.message;
    case 'unauthorized':
      return 'Unauthorized: a valid bearer token is required.';
    case 'not_found':
      return problem.message ?? NOT_FOUND;
    case 'precondition_failed':
      return 'Precondition failed: the conversation has changed since the given ETag.';
    case 'too_large':
      return 'Request body too large.';
    case 'unsupported_media_type':
      return 'Unsupported media type: the request body must be JSON (application/json).';
    case 'rate_limited':
      return 'Too many requests.';
    case 'no_route':
      return `No route for ${problem.method} ${problem.path}.`;
    case 'method_not_allowed':
      return `Method not allowed. Allowed: ${problem.allow.join(', ')}.`;
    case 'internal':
      return 'Internal server error.';
    case 'unavailable':
      return 'Service unavailable: retry shortly.';
  }
}

export const orqDialect: ErrorDialect = {
  schema: OrqError,
  render: (problem) => ({ status: statusOf(problem), body: { message: message(problem) } }),
};

const idParams = z.object({
  conversation_id: z.string().meta({
    description: 'The unique identifier of the conversation',
    example: 'conv_01jj1hdhn79xas7a01wb3hysdb',
  }),
});
// orq documents 1-100 characters, which JSON Schema counts in code points; Parley's rule counts
// graphemes (👍🏽 is one grapheme, two code points), so orq input is held to both, the stricter.
const displayName = z
  .string()
  .refine((s) => [...s].length <= 100, 'displayName must be at most 100 characters.')
  .pipe(namedTitleSchema('displayName'))
  .meta({ description: 'Display name for the conversation.', minLength: 1, maxLength: 100 });

export const orqFace: Face = {
  name: 'orq.ai',
  description: 'orq.ai conversations (`/v2/conversations`).',
  dialect: orqDialect,
  routes: [
    route({
      method: 'post',
      path: '/v2/conversations',
      operationId: 'CreateConversation',
      summary: 'Create conversation',
      body: z.object({ displayName: displayName.optional() }),
      bodyOptional: true,
      precondition: 'idempotency-key',
      success: { status: 201, description: 'Conversation created.', schema: OrqConversation },
      errors: [400, 401, 413, 429],
      async handler({ api, body, idempotencyKey }) {
        const c = await api.conversation.create({
          title: body.displayName ?? 'Untitled',
          idempotencyKey,
        });
        return { body: render(c), version: c.version };
      },
    }),
    route({
      method: 'get',
      path: '/v2/conversations',
      operationId: 'ListConversations',
      summary: 'List conversations',
      description:
        'Newest first. Page with `starting_after` (the last id of a page) or `ending_before` (the first).',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(10),
        starting_after: z.string().optional(),
        ending_before: z.string().optional(),
      }),
      success: {
        status: 200,
        description: 'A page of conversations.',
        schema: OrqConversationList,
      },
      errors: [400, 401, 404, 429],
      async handler({ api, query }) {
        const page = await api.conversation.list({
          limit: query.limit,
          sort: '-createdAt',
          after: query.starting_after,
          before: query.starting_after ? undefined : query.ending_before,
        });
        return { body: { object: 'list', data: page.items.map(render), has_more: page.hasMore } };
      },
    }),
    route({
      method: 'get',
      path: '/v2/conversations/{conversation_id}',
      operationId: 'RetrieveConversation',
      summary: 'Retrieve conversation',
      params: idParams,
      success: { status: 200, description: 'The conversation.', schema: OrqConversation },
      errors: [401, 404, 429],
      async handler({ api, params }) {
        const c = await api.conversation.get({ id: params.conversation_id });
        return { body: render(c), version: c.version };
      },
    }),
    route({
      method: 'patch',
      path: '/v2/conversations/{conversation_id}',
      operationId: 'UpdateConversation',
      summary: 'Update conversation',
      description:
        'Modifies an existing conversation’s properties. Only the fields provided in the request body will be updated; all other fields remain unchanged.',
      params: idParams,
      body: z.object({ displayName: displayName.optional() }),
      precondition: 'if-match',
      success: {
        status: 200,
        description:
          'Conversation successfully updated. Returns the complete updated conversation object.',
        schema: OrqConversation,
      },
      errors: [400, 401, 404, 412, 413, 429],
      async handler({ api, params, body, expectedVersion }) {
        const id = params.conversation_id;
        const c =
          body.displayName === undefined
            ? await api.conversation.get({ id })
            : await api.conversation.rename({ id, title: body.displayName, expectedVersion });
        return { body: render(c), version: c.version };
      },
    }),
    route({
      method: 'delete',
      path: '/v2/conversations/{conversation_id}',
      operationId: 'DeleteConversation',
      summary: 'Delete conversation',
      params: idParams,
      success: { status: 204, description: 'Conversation deleted.' },
      errors: [401, 404, 429],
      async handler({ api, params }) {
        await api.conversation.delete({ id: params.conversation_id });
        return {};
      },
    }),
    route({
      method: 'post',
      path: '/v2/conversations/{conversation_id}/generate-name',
      operationId: 'GenerateConversationName',
      summary: 'Generate conversation name',
      description:
        'Names the conversation from its first user message. A title a person set meanwhile is kept.',
      params: idParams,
      success: {
        status: 200,
        description: 'The conversation with its generated name.',
        schema: OrqConversation,
      },
      errors: [400, 401, 404, 429],
      async handler({ api, params }) {
        const c = await api.conversation.generateTitle({ id: params.conversation_id });
        return { body: render(c), version: c.version };
      },
    }),
  ],
};
