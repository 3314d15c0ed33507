/**
 * RakerOne "Florent" builder chat: create (201) and rename under /api/florent/conversations.
 * Ids are the canonical ULID; times are ISO 8601; errors are { error, issues? }.
 */
import { createConversationInput, renderId, titleSchema, type ConversationDto } from '@parley/api';
import { z } from 'zod';
import { statusOf, type ErrorDialect } from './kit/dialect.ts';
import type { Problem } from './kit/problem.ts';
import { route, type Face } from './kit/route.ts';

const FlorentConversation = z
  .object({
    _id: z.string(),
    userId: z.string(),
    title: z.string(),
    model: z.string(),
    messageCount: z.number(),
    lastMessageAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'FlorentConversation' });

const FlorentConversationResponse = z
  .object({ conversation: FlorentConversation })
  .meta({ id: 'FlorentConversationResponse' });

const FlorentError = z
  .object({
    error: z
      .string()
      .meta({ description: 'Machine-readable error code (e.g. `invalid_body`, `not_found`).' }),
    issues: z
      .array(z.unknown())
      .optional()
      .meta({ description: 'Schema-validation issues, present when `error` is `invalid_body`.' }),
  })
  .meta({ id: 'FlorentErrorResponse', description: 'Standard API error response.' });

function render(c: ConversationDto): z.infer<typeof FlorentConversationResponse> {
  return {
    conversation: {
      _id: renderId(c.id, 'ulid'),
      userId: c.userId,
      title: c.title,
      model: c.model,
      messageCount: c.messageCount,
      lastMessageAt: c.lastMessageAt,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    },
  };
}

const ERROR_CODES: Record<Problem['kind'], string> = {
  invalid: 'invalid_body',
  malformed_json: 'invalid_body',
  bad_request: 'invalid_body',
  unauthorized: 'unauthorized',
  not_found: 'not_found',
  conflict: 'conflict',
  precondition_failed: 'precondition_failed',
  too_large: 'payload_too_large',
  unsupported_media_type: 'unsupported_media_type',
  rate_limited: 'rate_limited',
  no_route: 'not_found',
  method_not_allowed: 'method_not_allowed',
  internal: 'internal_error',
  unavailable: 'unavailable',
};

export const florentDialect: ErrorDialect = {
  schema: FlorentError,
  render(problem) {
    const body: z.infer<typeof FlorentError> = { error: ERROR_CODES[problem.kind] };
    if (problem.kind === 'invalid') {
      body.issues = problem.issues.map((i) => ({
        code: i.zod.code,
        path: i.path.map(String),
        message: i.message,
      }));
    } else if (problem.kind === 'malformed_json' || problem.kind === 'bad_request') {
      body.issues = [{ code: 'custom', path: [], message: problem.message }];
    }
    return { status: statusOf(problem), body };
  },
};

const idParams = z.object({ id: z.string().meta({ description: 'The conversation id (ULID).' }) });

export const florentFace: Face = {
  name: 'Florent',
  description: 'RakerOne Florent builder-chat conversations (`/api/florent/conversations`).',
  dialect: florentDialect,
  routes: [
    route({
      method: 'post',
      path: '/api/florent/conversations',
      operationId: 'post-florent-conversations',
      summary: 'Create a Florent conversation',
      description: 'Starts a new conversation owned by the caller.',
      // The router's own rules for these fields, which Florent names as the router does.
      body: z.object({
        title: titleSchema.optional(),
        userDisplay: createConversationInput.shape.userDisplay,
        timezone: createConversationInput.shape.timezone,
      }),
      bodyOptional: true,
      precondition: 'idempotency-key',
      success: {
        status: 201,
        description: 'The created conversation.',
        schema: FlorentConversationResponse,
      },
      errors: [400, 401, 413, 429],
      async handler({ api, body, idempotencyKey }) {
        const c = await api.conversation.create({ ...body, idempotencyKey });
        return { body: render(c), version: c.version };
      },
    }),
    route({
      method: 'patch',
      path: '/api/florent/conversations/{id}',
      operationId: 'patch-florent-conversations-by-id',
      summary: 'Rename a Florent conversation',
      description:
        "Updates a conversation's title. A conversation owned by another user (or unknown) reads as 404.",
      params: idParams,
      body: z.object({ title: titleSchema }),
      precondition: 'if-match',
      success: {
        status: 200,
        description: 'The renamed conversation.',
        schema: FlorentConversationResponse,
      },
      errors: [400, 401, 404, 412, 413, 429],
      async handler({ api, params, body, expectedVersion }) {
        const c = await api.conversation.rename({
          id: params.id,
          title: body.title,
          expectedVersion,
        });
        return { body: render(c), version: c.version };
      },
    }),
  ],
};
