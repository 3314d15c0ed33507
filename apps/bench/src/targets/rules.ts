/**
 * The request rules every baseline applies, so that it does the same work as Parley for a rename:
 * the bearer token, the API key's SHA-256, the id (any of Parley's three renderings), the title
 * rule (NFC, trim, no control characters, 1-100 graphemes), If-Match, and Florent's response shape.
 *
 * The rules are Parley's own, imported from @parley/api/rules (and the key hash from
 * @parley/api/rules/api-key-crypto): entry points that load neither the router nor Prisma's
 * client, so a baseline's memory stays its own. What is left here is Florent's wire shape.
 */
import {
  looksLikeApiKey,
  normalizeTitle,
  parseBearer,
  parseId,
  versionFromIfMatch,
} from '@parley/api/rules';
import { hashApiKey } from '@parley/api/rules/api-key-crypto';

/** The hash an API key is stored under, or null when the token is not an API key. */
export function apiKeyHash(header: string | undefined): string | null {
  const token = parseBearer(header);
  return token && looksLikeApiKey(token) ? hashApiKey(token) : null;
}

/** A rename body's title: the normalised title, or Florent's 400 issue for it. */
export function titleFromBody(
  body: unknown,
):
  | { ok: true; title: string }
  | { ok: false; issue: { code: string; path: string[]; message: string } } {
  const raw = typeof body === 'object' && body !== null && 'title' in body ? body.title : undefined;
  if (typeof raw !== 'string') {
    return {
      ok: false,
      issue: { code: 'invalid_type', path: ['title'], message: 'Invalid input: expected string' },
    };
  }
  const result = normalizeTitle(raw);
  if (!result.ok)
    return { ok: false, issue: { code: 'custom', path: ['title'], message: result.message } };
  return result;
}

/** A conversation row as SQLite returns it (Prisma's column formats: ISO 8601 text times). */
export interface ConversationRow {
  id: string;
  userId: string;
  title: string;
  model: string;
  version: number;
  messageCount: number;
  lastMessageAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Prisma's SQLite adapter stores DateTime as ISO 8601 with "+00:00"; Florent shows ".000Z". */
export function isoTime(stored: string): string {
  return new Date(stored).toISOString();
}

/** The time to store, in the format Prisma's SQLite adapter writes. */
export function storedTime(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** Florent's rename response. */
export function florentBody(row: ConversationRow) {
  return {
    conversation: {
      _id: row.id,
      userId: row.userId,
      title: row.title,
      model: row.model,
      messageCount: row.messageCount,
      lastMessageAt: row.lastMessageAt === null ? null : isoTime(row.lastMessageAt),
      createdAt: isoTime(row.createdAt),
      updatedAt: isoTime(row.updatedAt),
    },
  };
}

export interface FlorentReply {
  status: number;
  body: unknown;
}

export type RenameRequest =
  | {
      ok: true;
      /** The canonical id, or null when it is malformed (which reads as not found). */
      id: string | null;
      title: string;
      expectedVersion: number | undefined;
    }
  | { ok: false; reply: FlorentReply };

/** A Florent rename's path id, body and If-Match checked as Parley checks them. */
export function checkRename(
  rawId: string,
  body: unknown,
  ifMatch: string | undefined,
): RenameRequest {
  const title = titleFromBody(body);
  if (!title.ok) return invalid(title.issue);
  const expectedVersion = versionFromIfMatch(ifMatch);
  if (expectedVersion === 'unsatisfiable') return { ok: false, reply: PRECONDITION_FAILED };
  return { ok: true, id: parseId(rawId), title: title.title, expectedVersion };
}

function invalid(issue: { code: string; path: string[]; message: string }): RenameRequest {
  return { ok: false, reply: { status: 400, body: { error: 'invalid_body', issues: [issue] } } };
}

export const UNAUTHORIZED: FlorentReply = { status: 401, body: { error: 'unauthorized' } };
export const NOT_FOUND: FlorentReply = { status: 404, body: { error: 'not_found' } };
export const PRECONDITION_FAILED: FlorentReply = {
  status: 412,
  body: { error: 'precondition_failed' },
};
export const TOO_LARGE: FlorentReply = { status: 413, body: { error: 'payload_too_large' } };
export const MALFORMED_JSON: FlorentReply = {
  status: 400,
  body: {
    error: 'invalid_body',
    issues: [{ code: 'custom', path: [], message: 'Malformed JSON' }],
  },
};
