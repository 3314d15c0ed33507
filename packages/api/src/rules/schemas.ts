/** zod schemas shared by the router and the REST faces, so every rule is written once. */
import { z } from 'zod';
import { MESSAGE_CONTENT_MAX_LENGTH, MESSAGE_ROLES } from './message.ts';
import { metadataProblems } from './metadata.ts';
import { SEARCH_QUERY_MAX_LENGTH, searchTerms } from './search.ts';
import { normalizeTitle } from './title.ts';

/**
 * A title, normalised by the title rule; failures are zod issues carrying the rule's message,
 * which calls the value `field` (a vendor face passes its own name for it: `name`, `displayName`).
 */
export function namedTitleSchema(field: string) {
  return z.string().transform((raw, ctx) => {
    const result = normalizeTitle(raw, field);
    if (result.ok) return result.title;
    ctx.addIssue({ code: 'custom', message: result.message, params: { problem: result.problem } });
    return z.NEVER;
  });
}

/** A title, as the router and the faces that call it `title` name it. */
export const titleSchema = namedTitleSchema('Title');

/**
 * Any rendering of a conversation id. Unparseable ids, whatever their length, read as NOT_FOUND
 * like unknown ones, so the schema only asks for a string (the body limit bounds its size).
 */
export const conversationIdSchema = z.string();

const messageContent = z
  .string()
  .min(1)
  .max(MESSAGE_CONTENT_MAX_LENGTH)
  .refine((s) => s.isWellFormed(), 'Invalid Unicode.');

/** At most this many messages in one append (OpenAI's limit on items added at once). */
export const APPEND_BATCH_MAX = 20;

/** Messages written together, in order: all of them are stored, or none. */
const messageBatch = z
  .array(z.object({ role: z.enum(MESSAGE_ROLES), content: messageContent }))
  .max(APPEND_BATCH_MAX);

/**
 * Metadata, held to its limits (metadata.ts). Like every object zod parses, a "__proto__" key is
 * left out (it could not be an ordinary pair of a JavaScript object).
 */
export const metadataSchema = z
  .record(z.string(), z.string({ error: 'Metadata values must be strings.' }), {
    error: 'Metadata must be an object of string pairs.',
  })
  .superRefine((pairs, ctx) => {
    for (const problem of metadataProblems(pairs)) {
      ctx.addIssue({
        code: 'too_big',
        origin: problem.what === 'pairs' ? 'object' : 'string',
        maximum: problem.maximum,
        inclusive: true,
        input:
          problem.key === undefined
            ? pairs
            : problem.what === 'key'
              ? problem.key
              : pairs[problem.key],
        path: problem.key === undefined ? [] : [problem.key],
        message: problem.message,
      });
    }
  });

const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

export const createConversationInput = z.object({
  title: titleSchema.optional(),
  model: optionalText(200),
  userDisplay: optionalText(200),
  /** An IANA time zone such as "Europe/Paris". */
  timezone: z
    .string()
    .max(64)
    .refine(isTimeZone, { message: 'Unknown IANA time zone.' })
    .optional(),
  /** A retry with the same key returns the conversation the first call created. */
  idempotencyKey: z.string().min(1).max(255).optional(),
  /** Free-form string pairs (metadata.ts has the limits); none by default. */
  metadata: metadataSchema.optional(),
  /** The conversation's first messages, stored with it in one transaction. */
  messages: messageBatch.optional(),
});

export const renameConversationInput = z.object({
  id: conversationIdSchema,
  title: titleSchema,
  /** When given, the rename applies only if the conversation is still at this version. */
  expectedVersion: z.number().int().min(1).optional(),
});

/** Replaces the metadata whole (OpenAI's update does the same): pairs left out are removed. */
export const setMetadataInput = z.object({
  id: conversationIdSchema,
  metadata: metadataSchema,
  /** When given, the change applies only if the conversation is still at this version. */
  expectedVersion: z.number().int().min(1).optional(),
});

export const conversationByIdInput = z.object({ id: conversationIdSchema });

/** Pin, unpin, archive, unarchive: which conversation, and optionally at which version. */
export const markConversationInput = z.object({
  id: conversationIdSchema,
  /** When given, the change applies only if the conversation is still at this version. */
  expectedVersion: z.number().int().min(1).optional(),
});

/** Which conversations a list holds: archived ones only when asked for. */
export const ARCHIVED_FILTERS = ['exclude', 'include', 'only'] as const;

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

export const CONVERSATION_SORTS = ['-updatedAt', 'updatedAt', '-createdAt', 'createdAt'] as const;
export type ConversationSort = (typeof CONVERSATION_SORTS)[number];

export const listConversationsInput = z
  .object({
    limit: z.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
    /** The `nextCursor` of the previous page. */
    cursor: z.string().max(200).nullish(),
    /** Or: the page that follows this conversation (exclusive). */
    after: conversationIdSchema.optional(),
    /** Or: the page that precedes this conversation (exclusive), still in list order. */
    before: conversationIdSchema.optional(),
    /** A field, descending when prefixed with "-". Default: most recently updated first. */
    sort: z.enum(CONVERSATION_SORTS).default('-updatedAt'),
    /** Archived conversations: left out (the default), listed with the others, or alone. */
    archived: z.enum(ARCHIVED_FILTERS).default('exclude'),
    /** Only pinned (true) or only unpinned (false) conversations; both when absent. */
    pinned: z.boolean().optional(),
  })
  .refine((input) => [input.cursor, input.after, input.before].filter(Boolean).length <= 1, {
    message: 'Give at most one of cursor, after and before.',
  })
  .default({ limit: PAGE_SIZE_DEFAULT, sort: '-updatedAt', archived: 'exclude' });

/** The caller's conversations whose title or messages hold every word of `q` (rules/search.ts). */
export const searchConversationsInput = z.object({
  q: z
    .string()
    .max(SEARCH_QUERY_MAX_LENGTH)
    .refine((s) => s.isWellFormed(), 'Invalid Unicode.')
    .refine((s) => searchTerms(s).length > 0, 'Give something to search for.'),
  limit: z.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
  /** The `nextCursor` of the previous page of the same search. */
  cursor: z.string().max(200).nullish(),
  /** Archived conversations: left out (the default), searched with the others, or alone. */
  archived: z.enum(ARCHIVED_FILTERS).default('exclude'),
});

export const appendMessageInput = z.object({
  conversationId: conversationIdSchema,
  role: z.enum(MESSAGE_ROLES),
  content: messageContent,
});

/** Several messages appended together, in order, in one transaction. */
export const appendMessagesInput = z.object({
  conversationId: conversationIdSchema,
  messages: messageBatch.min(1),
});

export const listMessagesInput = z.object({
  conversationId: conversationIdSchema,
  limit: z.number().int().min(1).max(PAGE_SIZE_MAX).default(50),
  /** The `nextCursor` of the previous page, in the same order. */
  cursor: z.string().max(200).nullish(),
  /** Oldest first (the default), or newest first to walk a history back from its end. */
  order: z.enum(['asc', 'desc']).default('asc'),
});

/** A message by id; deleting one removes it from its conversation's count. */
export const messageByIdInput = z.object({
  conversationId: conversationIdSchema,
  /** The message's id, in any rendering. */
  id: z.string(),
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
