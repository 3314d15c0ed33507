/**
 * The request rules every baseline applies, so that it does the same work as Parley for a rename:
 * the bearer token, the API key's SHA-256, the id (any of Parley's three renderings), the title
 * rule (NFC, trim, no control characters, 1-100 graphemes), and Florent's response shape.
 *
 * They are copies, not imports: importing @parley/api would load the router and Prisma's client
 * into a baseline process and inflate its memory. test/rules.test.ts checks that each copy agrees
 * with Parley's own function, so they cannot drift apart unnoticed.
 */
import { createHash } from 'node:crypto';
import { uuidToULID } from 'ulid';

const KEY_PREFIX = 'pk_';

/** The token of an `Authorization: Bearer <token>` header, or null (as Parley's parseBearer). */
export function parseBearer(header: string | undefined): string | null {
  const match = header ? /^Bearer +([\x21-\x7e]+) *$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** The hash an API key is stored under, or null when the token is not an API key. */
export function apiKeyHash(header: string | undefined): string | null {
  const token = parseBearer(header);
  if (!token?.startsWith(KEY_PREFIX)) return null;
  return createHash('sha256').update(token).digest('hex');
}

/** Parley's router refuses longer ids as invalid input (400), before looking them up. */
export const ID_MAX_LENGTH = 64;

const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const ORQ_PATTERN = /^conv_([0-7][0-9a-hjkmnp-tv-z]{25})$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Any rendering of a conversation id to the canonical ULID, or null (as Parley's parseId). */
export function parseId(input: string): string | null {
  if (ULID_PATTERN.test(input)) return input.toUpperCase();
  const match = ORQ_PATTERN.exec(input);
  if (match?.[1]) return match[1].toUpperCase();
  if (UUID_PATTERN.test(input)) return uuidToULID(input.toLowerCase());
  return null;
}

export const TITLE_MAX_GRAPHEMES = 100;
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/** The normalised title, or the reason it is refused (as Parley's normalizeTitle). */
export function normalizeTitle(
  raw: string,
): { ok: true; title: string } | { ok: false; message: string } {
  if (!raw.isWellFormed()) {
    return { ok: false, message: 'Title contains invalid Unicode (a lone surrogate).' };
  }
  const title = raw.normalize('NFC').trim();
  if (FORBIDDEN.test(title)) {
    return { ok: false, message: 'Title must not contain control characters or line breaks.' };
  }
  if (title.length === 0) {
    return { ok: false, message: 'Title must not be empty or only whitespace.' };
  }
  if (
    title.length > TITLE_MAX_GRAPHEMES &&
    (title.length > TITLE_MAX_GRAPHEMES * 64 || countGraphemes(title) > TITLE_MAX_GRAPHEMES)
  ) {
    return { ok: false, message: `Title must be at most ${TITLE_MAX_GRAPHEMES} characters.` };
  }
  return { ok: true, title };
}

function countGraphemes(text: string): number {
  return [...segmenter.segment(text)].length;
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

/**
 * The version an If-Match header requires (as Parley's versionFromIfMatch): undefined when
 * absent or `*`, a number for one entity tag, 'unsatisfiable' when nothing can match.
 */
export function versionFromIfMatch(
  header: string | undefined,
): number | undefined | 'unsatisfiable' {
  if (header === undefined) return undefined;
  const tags = header
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  if (tags.includes('*')) return undefined;
  const versions = new Set(
    tags
      .map((tag) => /^(?:W\/)?"(\d{1,9})"$/.exec(tag)?.[1])
      .map((v) => (v === undefined ? NaN : Number(v))),
  );
  if (versions.size !== 1) return 'unsatisfiable';
  const [version] = versions;
  return version !== undefined && Number.isInteger(version) && version >= 1
    ? version
    : 'unsatisfiable';
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
  if (rawId.length > ID_MAX_LENGTH) {
    return invalid({ code: 'too_big', path: ['id'], message: 'Too big' });
  }
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
