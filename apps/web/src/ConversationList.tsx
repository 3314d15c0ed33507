/**
 * The sidebar: "New chat", the search box (its results replace the list while it holds a query),
 * then the pinned conversations, then the others by most recent change,
 * grouped by date (Today, Yesterday, Previous 7 days, Older), paged, the open one marked; rename,
 * pin, archive and delete in place; the archive's own view at the end.
 */
import { useEffect, useRef, useState } from 'react';
import { byRecency, groupByDate } from './date-groups.ts';
import { actionErrorMessage } from './errors.ts';
import { focusNextFrame } from './focus.ts';
import { flattenList } from './list-pages.ts';
import { useDeleteWithUndo, useMarkConversation, usePendingDeletes } from './mutations.ts';
import { ARCHIVE_PATH, conversationPath, DATA_PATH, followLink, navigate } from './router.ts';
import { SearchBox, SearchResults, useDebounced } from './Search.tsx';
import { TitleEditor, useInlineRename } from './TitleEditor.tsx';
import { LIST_INPUT, PINNED_INPUT, trpc, type Conversation } from './trpc.ts';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatMeta(c: Conversation): string {
  const messages = c.messageCount === 1 ? '1 message' : `${c.messageCount} messages`;
  return `${messages} · ${when.format(new Date(c.updatedAt))}`;
}

function ConversationRow({
  conversation,
  open,
  onDelete,
  onMark,
  onOpen,
}: {
  conversation: Conversation;
  open: boolean;
  onDelete: (c: Conversation) => void;
  onMark: ReturnType<typeof useMarkConversation>;
  onOpen: () => void;
}) {
  const { editing, open: startRename, close, renameButton } = useInlineRename();

  return (
    <li
      className={`row${editing ? ' editing' : ''}${open ? ' open' : ''}`}
      data-id={conversation.id}
      onKeyDown={(e) => {
        if (e.key === 'F2' && !editing) {
          e.preventDefault();
          startRename();
        }
      }}
    >
      {editing ? (
        <TitleEditor conversation={conversation} onClose={close} />
      ) : (
        <>
          <a
            className="title"
            href={conversationPath(conversation.id)}
            aria-current={open ? 'page' : undefined}
            title={conversation.title}
            onClick={(e) => {
              followLink(e);
              onOpen();
            }}
          >
            {conversation.title}
          </a>
          <span className="row-actions">
            <button
              ref={renameButton}
              type="button"
              className="rename icon"
              onClick={() => startRename()}
              aria-label={`Rename “${conversation.title}”`}
              title="Rename (F2)"
            >
              <span aria-hidden="true">✎</span>
            </button>
            <button
              type="button"
              className={`pin icon${conversation.pinnedAt ? ' on' : ''}`}
              onClick={() => onMark(conversation, conversation.pinnedAt ? 'unpin' : 'pin')}
              aria-label={`${conversation.pinnedAt ? 'Unpin' : 'Pin'} “${conversation.title}”`}
              aria-pressed={Boolean(conversation.pinnedAt)}
              title={conversation.pinnedAt ? 'Unpin' : 'Pin'}
            >
              <span aria-hidden="true">{conversation.pinnedAt ? '★' : '☆'}</span>
            </button>
            <button
              type="button"
              className="archive icon quiet"
              onClick={() => onMark(conversation, 'archive')}
              aria-label={`Archive “${conversation.title}”`}
              title="Archive"
            >
              <span aria-hidden="true">↧</span>
            </button>
            <button
              type="button"
              className="delete icon quiet"
              onClick={() => onDelete(conversation)}
              aria-label={`Delete “${conversation.title}”`}
              title="Delete"
            >
              <span aria-hidden="true">×</span>
            </button>
          </span>
          <p className="meta">{formatMeta(conversation)}</p>
        </>
      )}
    </li>
  );
}

/** The date the groups are made from, moving on at midnight. */
function useToday(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const next = new Date(now);
    next.setHours(24, 0, 0, 0);
    const timer = setTimeout(() => setNow(new Date()), next.getTime() - now.getTime() + 1_000);
    return () => clearTimeout(timer);
  }, [now]);
  return now;
}

export function ConversationList({
  openId,
  onOpen,
}: {
  /** The conversation open in the main pane, if any. */
  openId: string | undefined;
  /** Called when the person opens one (the drawer closes). */
  onOpen: () => void;
}) {
  const query = trpc.conversation.list.useInfiniteQuery(LIST_INPUT, {
    getNextPageParam: (page) => page.nextCursor,
    // Live updates keep the list fresh; refetching on focus would reorder rows under the pointer.
    refetchOnWindowFocus: false,
  });
  // Pins are few: one page of them, above the others (which leave them out).
  const pinnedQuery = trpc.conversation.list.useInfiniteQuery(PINNED_INPUT, {
    getNextPageParam: () => null,
    refetchOnWindowFocus: false,
  });
  const pending = usePendingDeletes();
  const today = useToday();
  const [q, setQ] = useState('');
  const searching = useDebounced(q).trim();
  const pinned = flattenList(pinnedQuery.data)
    .filter((c) => !pending.has(c.id))
    .sort(byRecency);
  const groups = [
    ...(pinned.length > 0 ? [{ group: 'Pinned', rows: pinned }] : []),
    ...groupByDate(
      flattenList(query.data).filter((c) => !pending.has(c.id) && !c.pinnedAt),
      today,
    ),
  ];
  const rows = groups.flatMap((g) => g.rows);

  // After "Load more", the first new row takes the focus, once React has put it on the page.
  const focusRowAt = useRef<number | null>(null);
  useEffect(() => {
    const index = focusRowAt.current;
    if (index === null || rows.length <= index) return;
    focusRowAt.current = null;
    document.querySelectorAll<HTMLElement>('.conversations > li .title').item(index)?.focus();
  }, [rows.length]);
  const heading = useRef<HTMLHeadingElement>(null);

  // The pages the person asked for. Re-reading the list (as the live stream does when it
  // connects) cancels a "Load more" still loading: it is asked for again, not lost.
  const [wantedPages, setWantedPages] = useState(1);
  const pageCount = query.data?.pages.length ?? 0;
  const { hasNextPage, isFetching, isFetchNextPageError, fetchNextPage } = query;
  useEffect(() => {
    if (pageCount === 0 || pageCount >= wantedPages || !hasNextPage) return;
    if (isFetching || isFetchNextPageError) return; // a failed load waits for the next click
    void fetchNextPage();
  }, [pageCount, wantedPages, hasNextPage, isFetching, isFetchNextPageError, fetchNextPage]);

  // After a delete, focus goes to the next row (or the previous, or the heading). Deleting the
  // open conversation also leaves it for a new chat.
  const focusAfter = (id: string) => {
    const index = rows.findIndex((c) => c.id === id);
    const next = rows[index + 1] ?? rows[index - 1];
    if (id === openId) navigate('/', { focus: 'none' });
    focusNextFrame(() =>
      next ? document.querySelector<HTMLElement>(`[data-id="${next.id}"] .title`) : heading.current,
    );
  };
  const onDelete = useDeleteWithUndo(focusAfter);
  const onMark = useMarkConversation();

  return (
    <>
      <a
        className="button new-chat-button"
        href="/"
        aria-keyshortcuts="Control+Shift+O"
        title="New chat (Ctrl+Shift+O)"
        onClick={(e) => {
          e.preventDefault();
          navigate('/', { focus: 'composer' });
          onOpen();
        }}
      >
        New chat
      </a>
      <SearchBox value={q} onChange={setQ} />
      <h2 ref={heading} tabIndex={-1} className="sidebar-heading">
        {searching ? 'Search results' : 'Conversations'}
      </h2>
      {searching ? (
        <SearchResults q={searching} onOpen={onOpen} />
      ) : query.isPending ? (
        <p className="state" role="status" aria-busy="true">
          Loading your conversations…
        </p>
      ) : !query.data ? (
        <div className="state" role="alert">
          <p>{actionErrorMessage('load your conversations', query.error)}</p>
          <button type="button" onClick={() => void query.refetch()}>
            Try again
          </button>
        </div>
      ) : rows.length === 0 && !query.hasNextPage ? (
        <p className="state">No conversations yet. Start one with New chat.</p>
      ) : (
        <>
          {groups.map(({ group, rows: inGroup }) => (
            <section key={group} className="group" aria-label={group}>
              <h3>{group}</h3>
              <ul className="conversations">
                {inGroup.map((c) => (
                  <ConversationRow
                    key={c.id}
                    conversation={c}
                    open={c.id === openId}
                    onDelete={onDelete}
                    onMark={onMark}
                    onOpen={onOpen}
                  />
                ))}
              </ul>
            </section>
          ))}
          {query.hasNextPage && (
            <button
              type="button"
              className="more quiet"
              onClick={() => {
                // The first new row takes the focus once it is on the page (see the effect).
                focusRowAt.current = rows.length;
                setWantedPages(pageCount + 1);
                void query.fetchNextPage();
              }}
              disabled={query.isFetchingNextPage}
            >
              {query.isFetchingNextPage ? 'Loading more…' : 'Load more'}
            </button>
          )}
          {query.isFetchNextPageError && (
            <p role="alert">{actionErrorMessage('load more', query.error)}</p>
          )}
        </>
      )}
      <a
        className="archive-link quiet"
        href={ARCHIVE_PATH}
        onClick={(e) => {
          followLink(e);
          onOpen();
        }}
      >
        Archived conversations
      </a>
      <a
        className="archive-link quiet"
        href={DATA_PATH}
        onClick={(e) => {
          followLink(e);
          onOpen();
        }}
      >
        Import and export
      </a>
    </>
  );
}
