/**
 * One conversation, in the main pane: its full title (renamable, also the tab's title), Delete,
 * its messages (opening at the newest, older ones loaded upward at the top), each rendered as
 * Markdown with a Copy button, and the message box.
 */
import {
  lazy,
  Suspense,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { Composer } from './Composer.tsx';
import { useConversationCache } from './conversation-cache.ts';
import { formatMeta } from './ConversationList.tsx';
import { actionErrorMessage, errorCode } from './errors.ts';
import { useAppendMessage, useDeleteWithUndo, useMarkConversation } from './mutations.ts';
import { navigate, useSearchParam } from './router.ts';
import { ConversationMetadata } from './ConversationMetadata.tsx';
import { TitleEditor, useInlineRename } from './TitleEditor.tsx';
import { MESSAGES_INPUT, trpc, type Conversation, type Message } from './trpc.ts';

const Markdown = lazy(() => import('./Markdown.tsx'));

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function useDocumentTitle(title: string | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · Parley` : 'Parley';
    return () => {
      document.title = 'Parley';
    };
  }, [title]);
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2_000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="copy quiet"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setCopied(true));
      }}
    >
      {copied ? 'Copied' : 'Copy'}
      <span className="sr-only"> message</span>
    </button>
  );
}

function MessageItem({ message, found }: { message: Message; found: boolean }) {
  const sending = message.id.startsWith('pending-');
  return (
    <li
      className={`message message-${message.role}${found ? ' found' : ''}`}
      data-id={message.id}
      aria-busy={sending}
      aria-current={found ? 'true' : undefined}
      tabIndex={found ? -1 : undefined}
    >
      <p className="message-meta">
        <strong>{message.role}</strong> ·{' '}
        {sending ? (
          'sending…'
        ) : (
          <time dateTime={message.createdAt}>{time.format(new Date(message.createdAt))}</time>
        )}
        <CopyButton text={message.content} />
      </p>
      <div className="message-content">
        <Suspense fallback={<p className="plain">{message.content}</p>}>
          <Markdown text={message.content} />
        </Suspense>
      </div>
    </li>
  );
}

/** The scrolling messages: opens at the end, keeps its place when older ones come in above. */
/** Pages of older messages read, at most, to reach a search result's message. */
const MAX_PAGES_TO_TARGET = 40;

function Messages({
  conversationId,
  target,
  footer,
}: {
  conversationId: string;
  /** A message to open at (a search result's): older pages are read until it is there. */
  target?: string | null;
  footer?: ReactNode;
}) {
  const query = trpc.message.list.useInfiniteQuery(
    { conversationId, ...MESSAGES_INPUT },
    { getNextPageParam: (page) => page.nextCursor, refetchOnWindowFocus: false },
  );
  const scroller = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const messages = (query.data?.pages ?? []).flatMap((p) => p.items).reverse();
  const oldest = messages[0]?.id;
  const newest = messages.at(-1)?.id;
  // Height and position before a change, to keep the view where it was (or at the end).
  const before = useRef<{ height: number; top: number; atEnd: boolean } | null>(null);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const loadOlder = () => {
    if (!hasNextPage || isFetchingNextPage) return;
    void fetchNextPage();
  };

  // Older messages added at the top: the ones on screen stay put. A new one at the end: follow
  // it when the view was at the end (or it is being sent from here).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const was = before.current;
    if (!was)
      el.scrollTop = el.scrollHeight; // first render: the newest messages
    else if (was.atEnd || newest?.startsWith('pending-')) el.scrollTop = el.scrollHeight;
    else el.scrollTop = was.top + (el.scrollHeight - was.height);
    before.current = null;
  }, [oldest, newest, messages.length]);

  const remember = () => {
    const el = scroller.current;
    if (el) {
      before.current = {
        height: el.scrollHeight,
        top: el.scrollTop,
        atEnd: el.scrollHeight - el.scrollTop - el.clientHeight < 32,
      };
    }
  };
  // Measured at each render, before React changes the list (the layout effect reads it).
  remember();

  // Opened at a message: read older pages until it is there, then bring it into view and focus
  // it, once (a new message arriving later does not pull the view back).
  const reached = useRef<string | null>(null);
  const targetShown = Boolean(target && messages.some((m) => m.id === target));
  const pageCount = query.data?.pages.length ?? 0;
  useEffect(() => {
    if (!target || reached.current === target || query.isPending) return;
    if (!targetShown) {
      if (hasNextPage && !isFetchingNextPage && pageCount < MAX_PAGES_TO_TARGET) {
        void fetchNextPage();
      }
      return;
    }
    reached.current = target;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(target)}"]`);
    el?.scrollIntoView({ block: 'center' });
    el?.focus({ preventScroll: true });
  }, [
    target,
    targetShown,
    hasNextPage,
    isFetchingNextPage,
    pageCount,
    fetchNextPage,
    query.isPending,
  ]);

  // Scrolled to the top: the page before.
  useEffect(() => {
    const sentinel = top.current;
    const root = scroller.current;
    if (!sentinel || !root || !hasNextPage) return;
    const seen = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && root.scrollHeight > root.clientHeight) {
          loadOlder();
        }
      },
      { root },
    );
    seen.observe(sentinel);
    return () => seen.disconnect();
  });

  let body: ReactNode;
  if (query.isPending) body = <p className="state">Loading messages…</p>;
  else if (query.isError) {
    body = (
      <p className="state" role="alert">
        {actionErrorMessage('load the messages', query.error)}
      </p>
    );
  } else if (messages.length === 0) {
    body = <p className="state">No messages yet. Write the first one below.</p>;
  } else {
    body = (
      <ol className="messages" aria-label="Messages, oldest first">
        {messages.map((m) => (
          <MessageItem key={m.id} message={m} found={m.id === target} />
        ))}
      </ol>
    );
  }

  return (
    <div className="messages-scroll" ref={scroller} tabIndex={-1}>
      <div ref={top} className="messages-top">
        {hasNextPage && (
          <button
            type="button"
            className="more quiet"
            onClick={loadOlder}
            disabled={isFetchingNextPage}
          >
            {isFetchingNextPage ? 'Loading older messages…' : 'Load older messages'}
          </button>
        )}
      </div>
      {body}
      {footer}
    </div>
  );
}

/** Where a conversation downloads as a file (the server's export, with the session cookie). */
const exportHref = (id: string, format: 'json' | 'md') =>
  `/api/export/conversations/${encodeURIComponent(id)}.${format}`;

function Header({ conversation }: { conversation: Conversation }) {
  const { editing, open, close, renameButton } = useInlineRename();
  const onDelete = useDeleteWithUndo(() => navigate('/', { focus: 'composer' }));
  const mark = useMarkConversation();
  const { pinnedAt, archivedAt } = conversation;
  return (
    <div className={`detail-title${editing ? ' editing' : ''}`}>
      {editing ? (
        <TitleEditor conversation={conversation} onClose={close} />
      ) : (
        <>
          <h1 className="title" tabIndex={-1}>
            {conversation.title}
          </h1>
          <span className="row-actions">
            <button ref={renameButton} type="button" className="rename" onClick={() => open()}>
              Rename
            </button>
            <button
              type="button"
              className="pin"
              aria-pressed={Boolean(pinnedAt)}
              onClick={() => mark(conversation, pinnedAt ? 'unpin' : 'pin')}
            >
              {pinnedAt ? 'Unpin' : 'Pin'}
            </button>
            <button
              type="button"
              className="archive"
              onClick={() => mark(conversation, archivedAt ? 'unarchive' : 'archive')}
            >
              {archivedAt ? 'Restore' : 'Archive'}
            </button>
            <a className="button quiet" href={exportHref(conversation.id, 'json')} download>
              Export JSON
            </a>
            <a className="button quiet" href={exportHref(conversation.id, 'md')} download>
              Export Markdown
            </a>
            <button type="button" className="delete quiet" onClick={() => onDelete(conversation)}>
              Delete
            </button>
          </span>
        </>
      )}
      <p className="meta">
        {archivedAt ? 'Archived · ' : ''}
        {formatMeta(conversation)} · model {conversation.model}
      </p>
    </div>
  );
}

export function ConversationDetail({ id }: { id: string }) {
  // Opened from a search result: at the message that matched.
  const target = useSearchParam('message');
  const cache = useConversationCache();
  const query = trpc.conversation.get.useQuery(
    { id },
    {
      // Shown at once from the list while the server's copy loads.
      placeholderData: () => cache.find(id),
      retry: (count, error) => errorCode(error) !== 'NOT_FOUND' && count < 2,
    },
  );
  const append = useAppendMessage();
  useDocumentTitle(query.data?.title);
  if (query.isPending) {
    return (
      <p className="state" role="status" aria-busy="true">
        Loading the conversation…
      </p>
    );
  }
  if (query.isError) {
    const gone = errorCode(query.error) === 'NOT_FOUND';
    return (
      <div className="pane-body">
        <h1 tabIndex={-1}>{gone ? 'Not found' : 'Something went wrong'}</h1>
        <p className="state" role="alert">
          {gone
            ? 'This conversation does not exist, or it was deleted.'
            : actionErrorMessage('load the conversation', query.error)}
        </p>
      </div>
    );
  }
  return (
    <>
      <Header conversation={query.data} />
      <ConversationMetadata metadata={query.data.metadata} />
      <Messages conversationId={id} target={target} />
      <Composer draftKey={id} onSend={(m) => append.mutate({ conversationId: id, ...m })} />
    </>
  );
}
