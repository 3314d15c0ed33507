/**
 * The archive: conversations archived here or through any API, most recently changed first,
 * paged. Each opens as any conversation does (readable and renamable) and can be restored to the
 * list; the list of each tab follows live.
 */
import { actionErrorMessage } from './errors.ts';
import { MoreButton } from './MoreButton.tsx';
import { flattenList } from './list-pages.ts';
import { formatMeta } from './ConversationList.tsx';
import { useMarkConversation } from './mutations.ts';
import { conversationPath, followLink } from './router.ts';
import { ARCHIVED_INPUT, trpc } from './trpc.ts';

export function ArchivedList() {
  const query = trpc.conversation.list.useInfiniteQuery(ARCHIVED_INPUT, {
    getNextPageParam: (page) => page.nextCursor,
    refetchOnWindowFocus: false,
  });
  const mark = useMarkConversation();
  const rows = flattenList(query.data);
  return (
    <div className="pane-body archive">
      <h1 tabIndex={-1}>Archived conversations</h1>
      {query.isPending ? (
        <p className="state" role="status" aria-busy="true">
          Loading the archive…
        </p>
      ) : !query.data ? (
        <p className="state" role="alert">
          {actionErrorMessage('load the archive', query.error)}
        </p>
      ) : rows.length === 0 ? (
        <p className="state">
          Nothing archived. Archived conversations leave the list and wait here.
        </p>
      ) : (
        <ul className="conversations archived">
          {rows.map((c) => (
            <li key={c.id} className="row" data-id={c.id}>
              <a className="title" href={conversationPath(c.id)} onClick={followLink}>
                {c.title}
              </a>
              <span className="row-actions">
                <button
                  type="button"
                  onClick={() => mark(c, 'unarchive')}
                  aria-label={`Restore “${c.title}”`}
                >
                  Restore
                </button>
              </span>
              <p className="meta">{formatMeta(c)}</p>
            </li>
          ))}
        </ul>
      )}
      <MoreButton query={query} label="Load more" />
    </div>
  );
}
