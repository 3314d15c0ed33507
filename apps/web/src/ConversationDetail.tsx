/** One conversation: its title (renamable), its messages oldest first, and a box to add one. */
import { MESSAGE_CONTENT_MAX_LENGTH, MESSAGE_ROLES, type MessageRole } from '@parley/api/rules';
import { useId, useState, type FormEvent } from 'react';
import { useConversationCache } from './conversation-cache.ts';
import { formatMeta } from './ConversationList.tsx';
import { actionErrorMessage, errorCode } from './errors.ts';
import { useAppendMessage } from './mutations.ts';
import { followLink } from './router.ts';
import { ConversationMetadata } from './ConversationMetadata.tsx';
import { TitleEditor, useInlineRename } from './TitleEditor.tsx';
import { MESSAGES_INPUT, trpc, type Conversation } from './trpc.ts';

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function Messages({ conversationId }: { conversationId: string }) {
  const query = trpc.message.list.useInfiniteQuery(
    { conversationId, ...MESSAGES_INPUT },
    { getNextPageParam: (page) => page.nextCursor, refetchOnWindowFocus: false },
  );
  if (query.isPending) return <p className="state">Loading messages…</p>;
  if (query.isError) {
    return (
      <p className="state" role="alert">
        {actionErrorMessage('load the messages', query.error)}
      </p>
    );
  }
  const messages = query.data.pages.flatMap((p) => p.items);
  return (
    <>
      {messages.length === 0 ? (
        <p className="state">No messages yet. Write the first one below.</p>
      ) : (
        <ol className="messages" aria-label="Messages, oldest first">
          {messages.map((m) => (
            <li key={m.id} className={`message message-${m.role}`}>
              <p className="message-meta">
                <strong>{m.role}</strong> ·{' '}
                <time dateTime={m.createdAt}>{time.format(new Date(m.createdAt))}</time>
              </p>
              <p className="message-content">{m.content}</p>
            </li>
          ))}
        </ol>
      )}
      {query.hasNextPage && (
        <button
          type="button"
          className="more"
          onClick={() => void query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
        >
          {query.isFetchingNextPage ? 'Loading more…' : 'Load later messages'}
        </button>
      )}
    </>
  );
}

function AppendForm({ conversationId }: { conversationId: string }) {
  const [content, setContent] = useState('');
  const [role, setRole] = useState<MessageRole>('user');
  const ids = { content: useId(), role: useId() };
  const append = useAppendMessage(() => setContent(''));
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (content.trim() === '' || append.isPending) return;
    append.mutate({ conversationId, role, content });
  };
  return (
    <form className="append" onSubmit={submit} aria-label="Add a message">
      <label htmlFor={ids.content}>Message</label>
      <textarea
        id={ids.content}
        value={content}
        rows={3}
        maxLength={MESSAGE_CONTENT_MAX_LENGTH}
        onChange={(e) => setContent(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
        }}
        aria-describedby={`${ids.content}-hint`}
      />
      <p id={`${ids.content}-hint`} className="hint">
        Ctrl+Enter sends.
      </p>
      <div className="append-row">
        <label htmlFor={ids.role}>As</label>
        <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value as MessageRole)}>
          {MESSAGE_ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button type="submit" disabled={content.trim() === '' || append.isPending}>
          {append.isPending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}

function Header({ conversation }: { conversation: Conversation }) {
  const { editing, open, close, renameButton } = useInlineRename();
  return (
    <div className="row detail-title">
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
          </span>
        </>
      )}
      <p className="meta">
        {formatMeta(conversation)} · model {conversation.model}
      </p>
    </div>
  );
}

export function ConversationDetail({ id }: { id: string }) {
  const cache = useConversationCache();
  const query = trpc.conversation.get.useQuery(
    { id },
    {
      // Shown at once from the list while the server's copy loads.
      placeholderData: () => cache.find(id),
      retry: (count, error) => errorCode(error) !== 'NOT_FOUND' && count < 2,
    },
  );
  const back = (
    <a className="back" href="/" onClick={followLink}>
      ← All conversations
    </a>
  );
  if (query.isPending) {
    return (
      <>
        {back}
        <p className="state" role="status" aria-busy="true">
          Loading the conversation…
        </p>
      </>
    );
  }
  if (query.isError) {
    const gone = errorCode(query.error) === 'NOT_FOUND';
    return (
      <>
        {back}
        <h1 tabIndex={-1}>{gone ? 'Not found' : 'Something went wrong'}</h1>
        <p className="state" role="alert">
          {gone
            ? 'This conversation does not exist, or it was deleted.'
            : actionErrorMessage('load the conversation', query.error)}
        </p>
      </>
    );
  }
  return (
    <>
      {back}
      <Header conversation={query.data} />
      <ConversationMetadata metadata={query.data.metadata} />
      <Messages conversationId={id} />
      <AppendForm conversationId={id} />
    </>
  );
}
