/**
 * The FastAPI-style RAG question-answering API: a conversation with its messages at
 * /api/conversations/{conversation_id}. Times are ISO 8601; errors are FastAPI's: 422 with
 * pydantic-style { detail: [{ type, loc, msg, input }] }, otherwise { detail: "…" }.
 */
import { renderId, titleSchema, type ConversationDto } from '@parley/api';
import { z } from 'zod';
import { statusOf, type ErrorDialect } from './kit/dialect.ts';
import { JsonArrayStream } from './kit/json-stream.ts';
import type { Issue, Problem } from './kit/problem.ts';
import { route, type Caller, type Face } from './kit/route.ts';
import { pythonJsonError } from './rag-json.ts';

const RagMessage = z
  .object({
    content: z.string(),
    role: z.string().meta({ description: 'user, assistant or system' }),
    timestamp: z.iso.datetime(),
  })
  .meta({ id: 'RagMessage' });

const RagConversation = z
  .object({
    id: z.string(),
    title: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    messages: z.array(RagMessage),
  })
  .meta({ id: 'RagConversation', description: 'A conversation with its messages.' });

const ValidationError = z
  .object({
    type: z.string(),
    loc: z.array(z.union([z.string(), z.number()])),
    msg: z.string(),
    input: z.unknown(),
    ctx: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'RagValidationError' });

const RagError = z.object({ detail: z.union([z.string(), z.array(ValidationError)]) }).meta({
  id: 'RagHTTPError',
  description: 'FastAPI error: a message, or the list of validation errors (422).',
});

/** Messages read per page while the history streams out (the router's largest page). */
const MESSAGE_PAGE = 100;

/** The conversation's messages, oldest first, a keyset page at a time. */
async function* messagePages(api: Caller, conversationId: string) {
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<Caller['message']['list']>> = await api.message.list({
      conversationId,
      limit: MESSAGE_PAGE,
      cursor,
    });
    yield page.items.map((m) => ({ content: m.content, role: m.role, timestamp: m.createdAt }));
    cursor = page.nextCursor;
  } while (cursor);
}

/**
 * The conversation with every message, oldest first. The messages stream out page by page
 * (kit/json-stream.ts), so a history of any length is answered in bounded memory.
 */
function withMessages(api: Caller, c: ConversationDto) {
  return {
    id: renderId(c.id, 'ulid'),
    title: c.title,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    messages: new JsonArrayStream(messagePages(api, c.id)),
  };
}

/** A zod issue as pydantic v2 reports it, so FastAPI clients parse it as they always do. */
function pydanticError(issue: Issue): z.infer<typeof ValidationError> {
  const loc = [issue.in, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  const zi = issue.zod;
  const given = 'input' in zi ? zi.input : undefined;
  const input = given ?? null;
  if (zi.code === 'invalid_type') {
    // A field that is absent (never a field that is null: that is its type's error), or a body
    // that is absent or JSON null, as FastAPI reads it. pydantic reports a missing field with the
    // object it is missing from as the input.
    if (given === undefined || (issue.path.length === 0 && given === null))
      return { type: 'missing', loc, msg: 'Field required', input: issue.container ?? null };
    if (zi.expected === 'object') {
      return {
        type: 'model_attributes_type',
        loc,
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input,
      };
    }
    return {
      type: `${zi.expected}_type`,
      loc,
      msg: `Input should be a valid ${zi.expected}`,
      input,
    };
  }
  if (zi.code === 'too_small' && zi.origin === 'string') {
    return {
      type: 'string_too_short',
      loc,
      msg: `String should have at least ${Number(zi.minimum)} character${Number(zi.minimum) === 1 ? '' : 's'}`,
      input,
      ctx: { min_length: Number(zi.minimum) },
    };
  }
  if (zi.code === 'too_big' && zi.origin === 'string') {
    return {
      type: 'string_too_long',
      loc,
      msg: `String should have at most ${Number(zi.maximum)} characters`,
      input,
      ctx: { max_length: Number(zi.maximum) },
    };
  }
  return {
    type: 'value_error',
    loc,
    msg: `Value error, ${issue.message}`,
    input,
    ctx: { error: issue.message },
  };
}

function detail(problem: Problem): z.infer<typeof RagError>['detail'] {
  switch (problem.kind) {
    case 'invalid':
      return problem.issues.map(pydanticError);
    case 'malformed_json': {
      // Where and why Python's json module would have stopped (an encoding problem: at the start).
      const error = pythonJsonError(problem.body ?? '') ?? { msg: 'Expecting value', pos: 0 };
      return [
        {
          type: 'json_invalid',
          loc: ['body', error.pos],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: error.msg },
        },
      ];
    }
    case 'bad_request':
    case 'conflict':
      return problem.message;
    case 'unauthorized':
      return problem.reason === 'missing'
        ? 'Not authenticated'
        : 'Invalid authentication credentials';
    case 'not_found':
      return 'Conversation not found';
    case 'precondition_failed':
      return 'Precondition Failed';
    case 'too_large':
      return 'Request Entity Too Large';
    case 'unsupported_media_type':
      return 'Unsupported Media Type';
    case 'rate_limited':
      return 'Too Many Requests';
    // Starlette's answers for an unknown path and a wrong method, and for a failure.
    case 'no_route':
      return 'Not Found';
    case 'method_not_allowed':
      return 'Method Not Allowed';
    case 'internal':
      return 'Internal Server Error';
    case 'unavailable':
      return 'Service Unavailable';
  }
}

export const ragDialect: ErrorDialect = {
  schema: RagError,
  render(problem) {
    const validation = problem.kind === 'invalid' || problem.kind === 'malformed_json';
    return {
      status: validation ? 422 : statusOf(problem),
      body: { detail: detail(problem) },
      ...(problem.kind === 'unauthorized' && { headers: { 'WWW-Authenticate': 'Bearer' } }),
    };
  },
};

const idParams = z.object({ conversation_id: z.string() });

export const ragFace: Face = {
  name: 'RAG',
  description: 'The FastAPI-style RAG question-answering API (`/api/conversations`).',
  dialect: ragDialect,
  routes: [
    route({
      method: 'get',
      path: '/api/conversations/{conversation_id}',
      operationId: 'get_conversation_api_conversations__conversation_id__get',
      summary: 'Get Conversation',
      description: 'A conversation with all its messages, oldest first.',
      params: idParams,
      success: { status: 200, description: 'Successful Response', schema: RagConversation },
      errors: [401, 404, 422, 429],
      async handler({ api, params }) {
        const c = await api.conversation.get({ id: params.conversation_id });
        return { body: withMessages(api, c), version: c.version };
      },
    }),
    route({
      method: 'patch',
      path: '/api/conversations/{conversation_id}',
      operationId: 'update_conversation_api_conversations__conversation_id__patch',
      summary: 'Update Conversation',
      description: 'Request to update conversation title.',
      params: idParams,
      // min(1) first, so "" fails as pydantic's min_length does; then Parley's title rule.
      body: z.object({ title: z.string().min(1).pipe(titleSchema) }),
      precondition: 'if-match',
      success: { status: 200, description: 'Successful Response', schema: RagConversation },
      errors: [401, 404, 412, 413, 422, 429],
      async handler({ api, params, body, expectedVersion }) {
        const c = await api.conversation.rename({
          id: params.conversation_id,
          title: body.title,
          expectedVersion,
        });
        return { body: withMessages(api, c), version: c.version };
      },
    }),
  ],
};
