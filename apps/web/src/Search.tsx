/**
 * Search in the sidebar: titles and message text of the person's own conversations, as they type
 * (a pause of 250 ms sends the query), best matches first, each with the words found marked in a
 * short plain-text snippet. A result opens its conversation at the matching message. Ctrl+K
 * reaches the box from anywhere; Escape empties it.
 */
import { keepPreviousData } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { actionErrorMessage } from './errors.ts';
import { MoreButton } from './MoreButton.tsx';
import { conversationPath, followLink } from './router.ts';
import { trpc, type SearchResult } from './trpc.ts';

const DEBOUNCE_MS = 250;

/** The id of the search box, for Ctrl+K. */
export const SEARCH_BOX_ID = 'search';

export function useDebounced<T>(value: T, ms = DEBOUNCE_MS): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function SearchBox({ value, onChange }: { value: string; onChange: (q: string) => void }) {
  return (
    <input
      id={SEARCH_BOX_ID}
      className="search-box"
      type="search"
      placeholder="Search (Ctrl+K)"
      aria-label="Search conversations"
      aria-keyshortcuts="Control+K"
      autoComplete="off"
      value={value}
      maxLength={200}
      onChange={(e) => onChange(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && value) {
          e.preventDefault();
          onChange('');
        }
      }}
    />
  );
}

/** The snippet's text with the words found in <mark> (React escapes the text itself). */
function Snippet({ snippet }: { snippet: SearchResult['snippet'] }) {
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const [i, { start, end }] of snippet.highlights.entries()) {
    if (start > at) parts.push(snippet.text.slice(at, start));
    parts.push(<mark key={i}>{snippet.text.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(snippet.text.slice(at));
  return <p className="snippet">{parts}</p>;
}

export function SearchResults({ q, onOpen }: { q: string; onOpen: () => void }) {
  const query = trpc.conversation.search.useInfiniteQuery(
    { q, limit: 20 },
    { getNextPageParam: (page) => page.nextCursor, placeholderData: keepPreviousData },
  );
  const results = (query.data?.pages ?? []).flatMap((p) => p.items);
  return (
    <section className="search-results" aria-label="Search results" aria-busy={query.isFetching}>
      {query.isPending ? (
        <p className="state" role="status">
          Searching…
        </p>
      ) : query.isError ? (
        <p className="state" role="alert">
          {actionErrorMessage('search', query.error)}
        </p>
      ) : results.length === 0 ? (
        <p className="state" role="status">
          Nothing found for “{q}”.
        </p>
      ) : (
        <ul className="conversations">
          {results.map((r) => (
            <li key={r.conversation.id} className="result" data-id={r.conversation.id}>
              <a
                className="title"
                href={conversationPath(r.conversation.id, r.messageId)}
                onClick={(e) => {
                  followLink(e);
                  onOpen();
                }}
              >
                {r.conversation.title}
              </a>
              <Snippet snippet={r.snippet} />
            </li>
          ))}
        </ul>
      )}
      <MoreButton query={query} label="More results" />
    </section>
  );
}
