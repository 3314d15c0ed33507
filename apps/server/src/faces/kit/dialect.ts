import type { z } from 'zod';
import type { Problem } from './problem.ts';

export interface RenderedError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** How one vendor says "no": its status codes, error bodies and headers. */
export interface ErrorDialect {
  /** The vendor's error body, for the OpenAPI document. */
  schema: z.ZodType;
  render(problem: Problem): RenderedError;
}

/** The standard status of each problem; dialects that differ (FastAPI's 422) override. */
export function statusOf(problem: Problem): number {
  switch (problem.kind) {
    case 'invalid':
    case 'malformed_json':
    case 'bad_request':
      return 400;
    case 'unauthorized':
      return 401;
    case 'not_found':
    case 'no_route':
      return 404;
    case 'method_not_allowed':
      return 405;
    case 'conflict':
      return 409;
    case 'precondition_failed':
      return 412;
    case 'too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'rate_limited':
      return 429;
    case 'internal':
      return 500;
    case 'unavailable':
      return 503;
  }
}

/** Headers every dialect sends with a problem (Retry-After on 429, Allow on 405). */
export function standardHeaders(problem: Problem): Record<string, string> {
  if (problem.kind === 'rate_limited') return { 'Retry-After': String(problem.retryAfterSeconds) };
  if (problem.kind === 'method_not_allowed') return { Allow: problem.allow.join(', ') };
  return {};
}

export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request: the body or parameters failed validation.',
  401: 'Unauthorized: missing or invalid bearer token.',
  404: 'Not found: no such conversation for this caller (unknown, malformed, or someone else’s id).',
  409: 'Conflict.',
  412: 'Precondition failed: If-Match names a version that is no longer current.',
  413: 'Request body too large.',
  415: 'Unsupported media type: a request body must be JSON (application/json).',
  422: 'Validation error.',
  429: 'Too many requests; retry after the number of seconds in Retry-After.',
};
