/**
 * How Dify says no ({ code, message, status }, as its error handler renders werkzeug's exceptions),
 * and the shapes every Dify route shares: the end user, ids shown as UUIDs, times in unix seconds.
 */
import { z } from 'zod';
import { statusOf, type ErrorDialect } from './kit/dialect.ts';
import { describeIssues, type Problem } from './kit/problem.ts';

const DifyError = z
  .object({ code: z.string(), message: z.string(), status: z.int() })
  .meta({ id: 'DifyError' });

/** A Dify id: the 128 bits of a Parley id as a UUID. */
export const difyId = (what: string) =>
  z.uuidv7().meta({
    description:
      `${what}: a UUIDv7. Ids Parley made before it made UUIDv7 ids keep their earlier 128 ` +
      'bits, shown the same way but without an RFC 9562 version or variant.',
  });

/** A page's size, as every Dify list takes it: 1 to 100, 20 by default. */
export const pageLimit = z.coerce.number().int().min(1).max(100).default(20);

/** An ISO time as Dify's unix seconds. */
export const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Dify's `user`: an end user, named inside the key's organization. */
export const user = z
  .string()
  .min(1)
  .max(255)
  .meta({ description: 'End-user identifier, unique within the organization.' });

function codeAndMessage(problem: Problem): [string, string] {
  switch (problem.kind) {
    case 'invalid':
      return ['invalid_param', describeIssues(problem.issues)];
    case 'malformed_json':
      return ['invalid_param', 'Failed to decode JSON object.'];
    case 'bad_request':
      return ['invalid_param', problem.message];
    case 'unauthorized':
      return ['unauthorized', 'Access token is invalid'];
    case 'not_found':
      return ['not_found', problem.message ?? 'Conversation Not Exists.'];
    case 'conflict':
      return ['conflict', problem.message];
    case 'precondition_failed':
      return ['precondition_failed', 'The conversation has changed since the given ETag.'];
    case 'too_large':
      return ['request_entity_too_large', 'Request body too large.'];
    case 'unsupported_media_type':
      // What Flask's request.get_json() raises for a body that is not JSON.
      return [
        'unsupported_media_type',
        "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
      ];
    case 'rate_limited':
      return ['too_many_requests', 'Too many requests. Please try again later.'];
    // Werkzeug's NotFound and MethodNotAllowed, as Dify's error handler renders them.
    case 'no_route':
      return [
        'not_found',
        'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
      ];
    case 'method_not_allowed':
      return ['method_not_allowed', 'The method is not allowed for the requested URL.'];
    case 'internal':
      return ['internal_server_error', 'Internal Server Error.'];
    case 'unavailable':
      return ['service_unavailable', 'Service Unavailable.'];
  }
}

export const difyDialect: ErrorDialect = {
  schema: DifyError,
  render(problem) {
    const status = statusOf(problem);
    const [code, message] = codeAndMessage(problem);
    return {
      status,
      body: { code, message, status },
      ...(problem.kind === 'unauthorized' && {
        headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
      }),
    };
  },
};
