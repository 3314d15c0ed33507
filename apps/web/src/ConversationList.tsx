/** The list screen: create, the conversations newest first (paged), rename and delete in place. */
import { normalizeTitle } from '@parley/api/rules';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { actionErrorMessage } from './errors.ts';
import { flattenList } from './list-pages.ts';
import { useCreateConversation, useDeleteWithUndo, usePendingDeletes } from './mutations.ts';
import { conversationPath, followLink } from './router.ts';
import { TitleCounter, TitleEditor, useInlineRename } from './TitleEditor.tsx';
import { LIST_INPUT, trpc, type Conversation } from './trpc.ts';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatMeta(c: Conversation): string {
  const messages = c.messageCount === 1 ? '1 message' : `${c.messageCount} messages`;
  return `${messages} · ${when.format(new Date(c.updatedAt))}`;
}

function CreateForm() {
  const [title, setTitle] = useState('');
  const create = useCreateConversation();
  const ids = { input: useId(), counter: useId(), message: useId() };
  const check = normalizeTitle(title);
  const blank = title.trim() === '';
  const invalid = !blank && !check.ok;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (invalid || create.isPending) return;
    create.mutate(blank ? {} : { title }, { onSuccess: () => setTitle('') });
  };

  return (
    <form className="create" onSubmit={submit} aria-label="Create a conversation">
      <label htmlFor={ids.input}>New conversation</label>
      <div className="create-row">
        <input
          id={ids.input}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          placeholder="Title (optional)"
          autoComplete="off"
          aria-invalid={invalid}
          aria-describedby={`${ids.counter} ${invalid ? ids.message : ''}`}
        />
        <TitleCounter text={title} id={ids.counter} />
        <button type="submit" disabled={invalid || create.isPending}>
          {create.isPending ? 'Creating…' : 'Create'}
        </button>
      </div>
      <p id={ids.message} className="field-message" role="status">
        {invalid && !check.ok ? check.message : ''}
      </p>
    </form>
  );
}

function ConversationRow({
  conversation,
  onDelete,
}: {
  conversation: Conversation;
  onDelete: (c: Conversation) => void;
}) {
  const { editing, open, close, renameButton } = useInlineRename();

  return (
    <li
      className="row"
      data-id={conversation.id}
      onKeyDown={(e) => {
        if (e.key === 'F2' && !editing) {
          e.preventDefault();
          open();
        }
      }}
    >
      {editing ? (
        <TitleEditor conversation={conversation} onClose={close} />
      ) : (
        <>
          <a className="title" href={conversationPath(conversation.id)} onClick={followLink}>
            {conversation.title}
          </a>
          <span className="row-actions">
            <button
              ref={renameButton}
              type="button"
              className="rename"
              onClick={() => open()}
              aria-label={`Rename “${conversation.title}”`}
            >
              Rename
            </button>
            <button
              type="button"
              className="delete quiet"
              onClick={() => onDelete(conversation)}
              aria-label={`Delete “${conversation.title}”`}
            >
              Delete
            </button>
          </span>
        </>
      )}
      <p className="meta">{formatMeta(conversation)}</p>
    </li>
  );
}

export function ConversationList() {
  const query = trpc.conversation.list.useInfiniteQuery(LIST_INPUT, {
    getNextPageParam: (page) => page.nextCursor,
    // Live updates keep the list fresh; refetching on focus would reorder rows under the pointer.
    refetchOnWindowFocus: false,
  });
  const pending = usePendingDeletes();
  const rows = flattenList(query.data).filter((c) => !pending.has(c.id));

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

  // After a delete, focus goes to the next row (or the previous, or the heading).
  const focusAfter = (id: string) => {
    const index = rows.findIndex((c) => c.id === id);
    const next = rows[index + 1] ?? rows[index - 1];
    requestAnimationFrame(() => {
      const target = next
        ? document.querySelector<HTMLElement>(`[data-id="${next.id}"] .title`)
        : heading.current;
      target?.focus();
    });
  };
  const onDelete = useDeleteWithUndo(focusAfter);

  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Conversations
      </h1>
      <CreateForm />
      {query.isPending ? (
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
        <p className="state">No conversations yet. Give the first one a title above.</p>
      ) : (
        <>
          <ul className="conversations" aria-label="Your conversations, newest first">
            {rows.map((c) => (
              <ConversationRow key={c.id} conversation={c} onDelete={onDelete} />
            ))}
          </ul>
          {query.hasNextPage && (
            <button
              type="button"
              className="more"
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
    </>
  );
}
