/**
 * What went wrong with a REST request, independent of any vendor. Each face's dialect renders a
 * Problem as that vendor's status code and error body, so one failure reads right on every face.
 */
import type { TRPCError } from '@trpc/server';
import { ZodError, type z } from 'zod';

/** One validation failure, where it was found, and the zod details a dialect may need. */
export interface Issue {
  in: 'body' | 'query' | 'path' | 'header';
  path: PropertyKey[];
  message: string;
  zod: z.core.$ZodIssue;
  /** The object the failing value sits in (for a missing field: the object it is missing from). */
  container?: unknown;
}

export type Problem =
  | { kind: 'invalid'; issues: Issue[] }
  /** `body`: the text that failed to parse, when it was read. */
  | { kind: 'malformed_json'; message: string; body?: string }
  | { kind: 'unauthorized'; reason: 'missing' | 'invalid' }
  | { kind: 'not_found'; message?: string }
  /** A rule refused the request without field issues (e.g. nothing to name a conversation from). */
  | { kind: 'bad_request'; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'precondition_failed' }
  | { kind: 'too_large' }
  /** A request body that is present but not JSON (or in a charset or encoding not read). */
  | { kind: 'unsupported_media_type' }
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** No route of the face answers this path (inside the face's own prefix). */
  | { kind: 'no_route'; method: string; path: string }
  /** A route of the face answers this path, but not with this method. */
  | { kind: 'method_not_allowed'; allow: string[] }
  /** The database cannot be reached (PostgreSQL down): retry later. */
  | { kind: 'unavailable' }
  /** The server's fault: logged with the request id, never described to the client. */
  | { kind: 'internal' };

/**
 * Issues as one line, "field.path: message; …", for dialects whose errors carry a message only
 * (a message that already begins with its field's name is not prefixed with it again).
 */
export function describeIssues(issues: Issue[]): string {
  return issues
    .map((i) => {
      const field = String(i.path.at(-1) ?? '');
      if (!i.path.length || i.message.startsWith(`${field} `)) return i.message;
      return `${i.path.join('.')}: ${i.message}`;
    })
    .join('; ');
}

/** Thrown by a face handler to answer with a specific problem. */
export class FaceError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.kind);
  }
}

export function issuesOf(error: ZodError, where: Issue['in'], input?: unknown): Issue[] {
  return error.issues.map((issue) => ({
    in: where,
    path: issue.path,
    message: issue.message,
    zod: issue,
    container: valueAt(input, issue.path.slice(0, -1)),
  }));
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key))
      return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The router's error, as a problem; undefined for errors that are the server's fault. */
export function problemFromTrpc(error: TRPCError, preconditionGiven: boolean): Problem | undefined {
  switch (error.code) {
    case 'BAD_REQUEST':
      return error.cause instanceof ZodError
        ? { kind: 'invalid', issues: issuesOf(error.cause, 'body') }
        : { kind: 'bad_request', message: error.message };
    case 'UNAUTHORIZED':
      return { kind: 'unauthorized', reason: 'invalid' };
    case 'NOT_FOUND':
      return { kind: 'not_found' };
    case 'CONFLICT':
      // A stale version is the failure of the client's If-Match precondition.
      return preconditionGiven
        ? { kind: 'precondition_failed' }
        : { kind: 'conflict', message: error.message };
    case 'TOO_MANY_REQUESTS':
      return { kind: 'rate_limited', retryAfterSeconds: 1 };
    case 'SERVICE_UNAVAILABLE':
      return { kind: 'unavailable' };
    default:
      return undefined;
  }
}

/** Body-parser failures (too large, malformed JSON) as problems. */
export function problemFromBodyParser(error: unknown): Problem | undefined {
  const type =
    typeof error === 'object' && error !== null && 'type' in error ? error.type : undefined;
  if (type === 'entity.too.large') return { kind: 'too_large' };
  if (type === 'entity.parse.failed') {
    const body = (error as { body?: unknown }).body;
    return {
      kind: 'malformed_json',
      message: error instanceof Error ? error.message : 'Malformed JSON',
      ...(typeof body === 'string' && { body }),
    };
  }
  // JSON in a charset or a Content-Encoding the parser does not read: not a type this route reads.
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { kind: 'unsupported_media_type' };
  }
  if (type === 'entity.verify.failed') {
    return { kind: 'malformed_json', message: 'Unsupported request body encoding' };
  }
  return undefined;
}
