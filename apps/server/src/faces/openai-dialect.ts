/**
 * How OpenAI says no: `{ error: { message, type, param, code } }`, with the statuses its SDKs turn
 * into typed errors (400 BadRequestError, 401 AuthenticationError, 404 NotFoundError, 429
 * RateLimitError). `param` names the field as OpenAI does (`items[0].content`, `metadata`).
 */
import { z } from 'zod';
import { statusOf, type ErrorDialect } from './kit/dialect.ts';
import type { Issue, Problem } from './kit/problem.ts';

const OpenAiError = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .meta({ id: 'OpenAIError' });

interface Described {
  message: string;
  type: string;
  param?: string | null;
  code?: string | null;
}

/** A zod path as OpenAI writes a parameter: items[0].content. */
export function paramOf(path: PropertyKey[]): string | null {
  let param = '';
  for (const part of path) {
    if (typeof part === 'number') param += `[${part}]`;
    else param += param ? `.${String(part)}` : String(part);
  }
  return param || null;
}

/** OpenAI's codes for the common validation failures; anything else is `invalid_value`. */
function codeOf(issue: Issue): string {
  const zod = issue.zod;
  if (zod.code === 'invalid_type')
    return zod.input === undefined ? 'missing_required_parameter' : 'invalid_type';
  if (zod.code === 'too_big') {
    if (zod.origin === 'array') return 'array_above_max_length';
    if (zod.origin === 'object') return 'object_above_max_properties';
    if (zod.origin === 'string') return 'string_above_max_length';
  }
  if (zod.code === 'too_small') {
    if (zod.origin === 'array') return 'empty_array';
    if (zod.origin === 'string') return 'empty_string';
  }
  return 'invalid_value';
}

function describe(problem: Problem): Described {
  const invalid = 'invalid_request_error';
  switch (problem.kind) {
    case 'invalid': {
      const [first] = problem.issues;
      const param = first ? paramOf(first.path) : null;
      const message = problem.issues
        .map((i) => {
          const name = paramOf(i.path);
          return name ? `Invalid '${name}': ${i.message}` : i.message;
        })
        .join(' ');
      return { message, type: invalid, param, code: first ? codeOf(first) : null };
    }
    case 'malformed_json':
      return {
        message:
          'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.',
        type: invalid,
      };
    case 'bad_request':
      return { message: problem.message, type: invalid };
    case 'unauthorized':
      return problem.reason === 'missing'
        ? {
            message:
              "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            type: invalid,
          }
        : { message: 'Incorrect API key provided.', type: invalid, code: 'invalid_api_key' };
    case 'not_found':
      return { message: problem.message ?? 'Conversation not found.', type: invalid };
    case 'conflict':
      return { message: problem.message, type: invalid, code: 'conflict' };
    case 'precondition_failed':
      return {
        message: 'The conversation has changed since the given ETag.',
        type: invalid,
        code: 'precondition_failed',
      };
    case 'too_large':
      return { message: 'Request body too large.', type: invalid, code: 'request_too_large' };
    case 'unsupported_media_type':
      return {
        message: "Unsupported content type: the request body must be JSON ('application/json').",
        type: invalid,
        code: 'unsupported_content_type',
      };
    case 'rate_limited':
      return {
        message: `Rate limit reached. Please try again in ${problem.retryAfterSeconds}s.`,
        type: 'requests',
        code: 'rate_limit_exceeded',
      };
    case 'no_route':
      return { message: `Invalid URL (${problem.method} ${problem.path})`, type: invalid };
    case 'method_not_allowed':
      return {
        message: `Method not allowed. Allowed: ${problem.allow.join(', ')}.`,
        type: invalid,
        code: 'method_not_allowed',
      };
    case 'unavailable':
      return {
        message: 'The server is temporarily unavailable. Please retry your request shortly.',
        type: 'server_error',
        code: 'service_unavailable',
      };
    case 'internal':
      return {
        message: 'The server had an error while processing your request.',
        type: 'server_error',
      };
  }
}

export const openAiDialect: ErrorDialect = {
  schema: OpenAiError,
  render(problem) {
    const { message, type, param = null, code = null } = describe(problem);
    return { status: statusOf(problem), body: { error: { message, type, param, code } } };
  },
};
