/**
 * Search's SQL: the one place where Parley's statements differ by database.
 *
 * - SQLite: FTS5 indexes with the trigram tokenizer over titles and message contents
 *   ("ConversationTitleSearch", "MessageSearch"; external content, kept in step by triggers: the
 *   `search` migration). Words of three characters or more go to MATCH, each as a quoted phrase
 *   (so nothing in them is FTS syntax); shorter ones, which a trigram index cannot look up, are
 *   matched with LIKE on the rows the index found, or on all of the caller's rows when no word is
 *   long enough. Relevance is FTS5's bm25. The index is read first and its rows joined to the
 *   caller's (CROSS JOIN fixes that order): left to choose, SQLite walked the caller's rows and
 *   ran the MATCH once for each, 30 s instead of 0.26 s for a word in all of 100,000 titles.
 *   Either way a word found in many of everyone's texts costs in proportion to how many.
 * - PostgreSQL: ILIKE '%word%' for every word, which pg_trgm's GIN indexes serve (the `search`
 *   migration); relevance is pg_trgm's similarity of the text to the query. PostgreSQL's own
 *   text search (tsvector) is not used: its parser keeps a run of CJK text as one word and drops
 *   emoji, and its stemming is per language.
 *
 * Both rank the same way: conversations whose title matches first, then by relevance, then the
 * most recently updated; one row per conversation, with its best matching message.
 */
import type { Conversation, Db } from '@parley/db';
import { Prisma } from '@parley/db';
import { containsPattern, isIndexedTerm } from '../rules/search.ts';

export interface SearchQuery {
  userId: string;
  /** The query's words (rules/search.ts searchTerms): at least one. */
  terms: string[];
  /** The whole query, as typed, for PostgreSQL's similarity. */
  text: string;
  /** Only archived (true), only not archived (false), or both (undefined). */
  archived: boolean | undefined;
  offset: number;
  take: number;
}

export interface SearchHit {
  conversationId: string;
  /** The best matching message, or null when the title matched. */
  messageId: string | null;
}

type Provider = 'sqlite' | 'postgresql';

function providerOf(db: Db): Provider {
  // Both generated clients carry their provider (Prisma's `_activeProvider`), which the Db
  // type, the SQLite client's, does not declare. The tests run on both and fail if it goes.
  return (db as unknown as { _activeProvider?: string })._activeProvider === 'postgresql'
    ? 'postgresql'
    : 'sqlite';
}

function archivedCondition(archived: boolean | undefined): Prisma.Sql {
  return archived === undefined
    ? Prisma.empty
    : Prisma.raw(`AND c."archivedAt" IS ${archived ? 'NOT ' : ''}NULL`);
}

/** `AND column LIKE '%word%'` for each word (ILIKE on PostgreSQL). */
function containsAll(column: string, terms: string[], like: 'LIKE' | 'ILIKE'): Prisma.Sql {
  if (terms.length === 0) return Prisma.empty;
  return Prisma.join(
    terms.map(
      (term) =>
        Prisma.sql`AND ${Prisma.raw(column)} ${Prisma.raw(like)} ${containsPattern(term)} ESCAPE '\\'`,
    ),
    ' ',
  );
}

/** An FTS5 query that is every word as a phrase, or null when no word can use the index. */
function ftsQuery(terms: string[]): string | null {
  const indexed = terms.filter(isIndexedTerm);
  if (indexed.length === 0) return null;
  return indexed.map((term) => `"${term.replaceAll('"', '""')}"`).join(' ');
}

/** Title hits then message hits, as (conversation, message, kind, score) rows; lower is better. */
function sqliteHits(query: SearchQuery): Prisma.Sql {
  const match = ftsQuery(query.terms);
  const scanned = match ? query.terms.filter((t) => !isIndexedTerm(t)) : query.terms;
  const archived = archivedCondition(query.archived);
  const titles = match
    ? Prisma.sql`
      SELECT c."id" AS "conversationId", NULL AS "messageId", 0 AS "kind",
             bm25("ConversationTitleSearch") AS "score"
      FROM "ConversationTitleSearch"
      CROSS JOIN "Conversation" c ON c.rowid = "ConversationTitleSearch".rowid
      WHERE "ConversationTitleSearch" MATCH ${match}`
    : Prisma.sql`
      SELECT c."id" AS "conversationId", NULL AS "messageId", 0 AS "kind", 0 AS "score"
      FROM "Conversation" c WHERE 1 = 1`;
  const messages = match
    ? Prisma.sql`
      SELECT m."conversationId", m."id" AS "messageId", 1 AS "kind",
             bm25("MessageSearch") AS "score"
      FROM "MessageSearch"
      CROSS JOIN "Message" m ON m.rowid = "MessageSearch".rowid
      CROSS JOIN "Conversation" c ON c."id" = m."conversationId"
      WHERE "MessageSearch" MATCH ${match}`
    : Prisma.sql`
      SELECT m."conversationId", m."id" AS "messageId", 1 AS "kind", 0 AS "score"
      FROM "Message" m JOIN "Conversation" c ON c."id" = m."conversationId" WHERE 1 = 1`;
  return Prisma.sql`
    ${titles} AND c."userId" = ${query.userId} ${archived}
      ${containsAll('c."title"', scanned, 'LIKE')}
    UNION ALL
    ${messages} AND c."userId" = ${query.userId} ${archived}
      ${containsAll('m."content"', scanned, 'LIKE')}`;
}

function postgresHits(query: SearchQuery): Prisma.Sql {
  const archived = archivedCondition(query.archived);
  return Prisma.sql`
    SELECT c."id" AS "conversationId", NULL AS "messageId", 0 AS "kind",
           -similarity(c."title", ${query.text}) AS "score"
    FROM "Conversation" c
    WHERE c."userId" = ${query.userId} ${archived} ${containsAll('c."title"', query.terms, 'ILIKE')}
    UNION ALL
    SELECT m."conversationId", m."id" AS "messageId", 1 AS "kind",
           -similarity(m."content", ${query.text}) AS "score"
    FROM "Message" m JOIN "Conversation" c ON c."id" = m."conversationId"
    WHERE c."userId" = ${query.userId} ${archived}
      ${containsAll('m."content"', query.terms, 'ILIKE')}`;
}

/**
 * One page of the caller's matching conversations, best first: for each, the message that
 * matched best (the newest among equals), or none when its title matched.
 */
export async function selectSearchHits(db: Db, query: SearchQuery): Promise<SearchHit[]> {
  const hits = providerOf(db) === 'postgresql' ? postgresHits(query) : sqliteHits(query);
  return db.$queryRaw<SearchHit[]>`
    WITH "hits" AS (${hits}),
    "ranked" AS (
      SELECT h.*, c."updatedAt",
             ROW_NUMBER() OVER (PARTITION BY h."conversationId"
                                ORDER BY h."kind", h."score", h."messageId" DESC) AS "n"
      FROM "hits" h JOIN "Conversation" c ON c."id" = h."conversationId"
    )
    SELECT "conversationId", "messageId" FROM "ranked" WHERE "n" = 1
    ORDER BY "kind", "score", "updatedAt" DESC, "conversationId" DESC
    LIMIT ${query.take} OFFSET ${query.offset}`;
}

/** The caller's conversations with these ids. */
export async function selectOwnedConversations(
  db: Db,
  userId: string,
  ids: string[],
): Promise<Conversation[]> {
  if (ids.length === 0) return [];
  return db.$queryRaw<Conversation[]>`
    SELECT * FROM "Conversation" WHERE "userId" = ${userId} AND "id" IN (${Prisma.join(ids)})`;
}

/** The contents of these messages, by id. */
export async function selectMessageContents(
  db: Db,
  ids: string[],
): Promise<{ id: string; content: string }[]> {
  if (ids.length === 0) return [];
  return db.$queryRaw<{ id: string; content: string }[]>`
    SELECT "id", "content" FROM "Message" WHERE "id" IN (${Prisma.join(ids)})`;
}
