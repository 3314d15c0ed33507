/**
 * Search over the caller's own conversations: titles and message contents, ranked (title
 * matches first, then relevance, then the most recently updated), one result per conversation.
 * Every statement is scoped to the caller's user: someone else's conversations are never found.
 */
import type { Db } from '@parley/db';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import { toConversationDto, type ConversationDto } from '../data/dto.ts';
import {
  selectMessageContents,
  selectOwnedConversations,
  selectSearchHits,
} from '../data/search-statements.ts';
import type { searchConversationsInput } from '../rules/schemas.ts';
import {
  decodeSearchCursor,
  encodeSearchCursor,
  searchFingerprint,
  searchTerms,
  snippetOf,
  type Snippet,
} from '../rules/search.ts';

export interface SearchResult {
  conversation: ConversationDto;
  /** Where the query matched: the conversation's title, or one of its messages. */
  matchedIn: 'title' | 'message';
  /** The id of the message that matched (open the conversation at it), or null for the title. */
  messageId: string | null;
  /** Plain text around the match, with the ranges of the query's words in it. */
  snippet: Snippet;
}

export interface SearchPage {
  items: SearchResult[];
  /** Pass back as `cursor` (with the same `q` and `archived`) for the next page; null at the end. */
  nextCursor: string | null;
}

export async function searchConversations(
  db: Db,
  caller: Principal,
  input: z.output<typeof searchConversationsInput>,
): Promise<SearchPage> {
  const terms = searchTerms(input.q);
  const fingerprint = searchFingerprint(terms, input.archived);
  const offset = input.cursor ? decodeSearchCursor(fingerprint, input.cursor) : 0;
  if (offset === null) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor.' });

  const hits = await selectSearchHits(db, {
    userId: caller.userId,
    terms,
    text: input.q,
    archived: { exclude: false, include: undefined, only: true }[input.archived],
    offset,
    take: input.limit + 1,
  });
  const page = hits.slice(0, input.limit);
  const conversations = new Map(
    (
      await selectOwnedConversations(
        db,
        caller.userId,
        page.map((hit) => hit.conversationId),
      )
    ).map((row) => [row.id, row]),
  );
  const contents = new Map(
    (
      await selectMessageContents(
        db,
        page.flatMap((hit) => (hit.messageId ? [hit.messageId] : [])),
      )
    ).map((row) => [row.id, row.content]),
  );

  const items: SearchResult[] = [];
  for (const hit of page) {
    const row = conversations.get(hit.conversationId);
    // Deleted between the statements: left out rather than shown half.
    if (!row) continue;
    const content = hit.messageId === null ? undefined : contents.get(hit.messageId);
    if (hit.messageId !== null && content === undefined) continue;
    items.push({
      conversation: toConversationDto(row),
      matchedIn: hit.messageId === null ? 'title' : 'message',
      messageId: hit.messageId,
      snippet: snippetOf(content ?? row.title, terms),
    });
  }
  return {
    items,
    nextCursor:
      hits.length > input.limit ? encodeSearchCursor(fingerprint, offset + input.limit) : null,
  };
}
