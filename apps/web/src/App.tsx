/**
 * The shell: who is signed in decides the screen; signed in, two panes: the conversation list
 * (a drawer in narrow windows) beside a new chat or the open conversation, picked by the path.
 */
import {
  MutationCache,
  QueryCache,
  QueryClient,
  QueryClientProvider,
  useQuery,
} from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ConversationDetail } from './ConversationDetail.tsx';
import { ConversationList } from './ConversationList.tsx';
import { clearDrafts } from './drafts.ts';
import { errorCode } from './errors.ts';
import { useLiveUpdates, type LiveStatus } from './live.ts';
import { flushDeletes } from './mutations.ts';
import { NewChat } from './NewChat.tsx';
import { ArchivedList } from './ArchivedList.tsx';
import { DataPage } from './DataPage.tsx';
import { SEARCH_BOX_ID } from './Search.tsx';
import { NoticeProvider, useNotices } from './notices.tsx';
import {
  FOCUS_AGAIN,
  followLink,
  navigate,
  parseRoute,
  takeFocusTarget,
  usePathname,
} from './router.ts';
import {
  fetchSession,
  SESSION_KEY,
  signOut,
  type SessionState,
  type SessionUser,
} from './session.ts';
import { SignIn } from './SignIn.tsx';
import { createClient, trpc } from './trpc.ts';

const SESSION_ENDED = 'Your session has ended. Sign in again to continue.';
const UNAUTHORIZED_EVENT = 'parley:unauthorized';

function reportUnauthorized(error: unknown) {
  if (errorCode(error) === 'UNAUTHORIZED') window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
}

const NO_RETRY = new Set(['UNAUTHORIZED', 'NOT_FOUND', 'BAD_REQUEST', 'CONFLICT']);

const LIVE_LABEL: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  off: 'Offline',
};

/** The drawer's breakpoint: under it, the list slides over the conversation. */
const NARROW = '(max-width: 767.98px)';

function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => matchMedia(NARROW).matches);
  useEffect(() => {
    const query = matchMedia(NARROW);
    const onChange = () => setNarrow(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return narrow;
}

function Shell({
  user,
  demoTtlHours,
  onSessionEnded,
  onSignedOut,
}: {
  user: SessionUser;
  demoTtlHours: number | undefined;
  onSessionEnded: () => void;
  onSignedOut: () => void;
}) {
  const live = useLiveUpdates(onSessionEnded);
  const route = parseRoute(usePathname());
  const screen = route.name === 'conversation' ? route.id : route.name;
  const main = useRef<HTMLElement>(null);
  const drawerButton = useRef<HTMLButtonElement>(null);
  const firstRender = useRef(true);
  const narrow = useNarrow();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [confirmingSignOut, setConfirmingSignOut] = useState(false);

  // A new screen moves the focus to its heading, as a page load would, or to its message box
  // where the work continues (New chat, a conversation just started, just signed in).
  const focusScreen = useCallback(() => {
    const target = firstRender.current ? 'composer' : takeFocusTarget();
    firstRender.current = false;
    if (target === 'none') return;
    const box = main.current?.querySelector<HTMLElement>('.composer textarea');
    if (target === 'composer' && box) box.focus();
    else main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, []);
  useEffect(focusScreen, [screen, focusScreen]);
  useEffect(() => {
    window.addEventListener(FOCUS_AGAIN, focusScreen);
    return () => window.removeEventListener(FOCUS_AGAIN, focusScreen);
  }, [focusScreen]);

  // Ctrl+Shift+O: a new chat, from anywhere. Ctrl+K: the search box (in the drawer when narrow).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const key = event.key.toLowerCase();
      if (!(event.ctrlKey || event.metaKey)) return;
      if (event.shiftKey && key === 'o') {
        event.preventDefault();
        setDrawerOpen(false);
        navigate('/', { focus: 'composer' });
      } else if (!event.shiftKey && key === 'k') {
        event.preventDefault();
        setDrawerOpen(true);
        requestAnimationFrame(() => document.getElementById(SEARCH_BOX_ID)?.focus());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const closeDrawer = (refocus: boolean) => {
    setDrawerOpen(false);
    if (refocus) drawerButton.current?.focus();
  };

  const leave = async () => {
    await flushDeletes();
    await signOut();
    onSignedOut();
  };
  const demoKept =
    demoTtlHours === undefined
      ? ''
      : ` Demo visitors and their data are removed ${demoTtlHours} hours after they arrive.`;

  return (
    <div className="app">
      <header className="top">
        <button
          ref={drawerButton}
          type="button"
          className="drawer-toggle quiet"
          aria-expanded={drawerOpen}
          aria-controls="sidebar"
          onClick={() => setDrawerOpen((open) => !open)}
        >
          Conversations
        </button>
        <a className="brand" href="/" onClick={followLink}>
          Parley
        </a>
        <span
          className={`live live-${live}`}
          role="status"
          aria-label={`Live updates: ${LIVE_LABEL[live]}`}
        >
          {LIVE_LABEL[live]}
        </span>
        <a className="docs-link" href="/docs">
          API docs
        </a>
        <span className="who">
          {user.demo ? 'Demo visitor' : user.name} <span className="org">@ {user.org}</span>
        </span>
        <button
          type="button"
          className="quiet"
          aria-expanded={user.demo ? confirmingSignOut : undefined}
          onClick={() => (user.demo ? setConfirmingSignOut((c) => !c) : void leave())}
        >
          Sign out
        </button>
        {user.demo && confirmingSignOut && (
          <div className="sign-out-warning" role="alertdialog" aria-labelledby="sign-out-warning">
            <p id="sign-out-warning">
              Signing out ends this demo: its conversations go with it and cannot be opened again.
              {demoKept}
            </p>
            <button type="button" onClick={() => void leave()} autoFocus>
              Sign out and discard
            </button>
            <button type="button" className="quiet" onClick={() => setConfirmingSignOut(false)}>
              Stay
            </button>
          </div>
        )}
      </header>
      <div className="panes">
        <nav
          id="sidebar"
          className={`sidebar${drawerOpen ? ' open' : ''}`}
          aria-label="Conversations"
          onKeyDown={(e) => {
            if (e.key === 'Escape' && narrow && drawerOpen) closeDrawer(true);
          }}
        >
          <ConversationList
            openId={route.name === 'conversation' ? route.id : undefined}
            onOpen={() => closeDrawer(false)}
          />
        </nav>
        {narrow && drawerOpen && (
          <div className="backdrop" aria-hidden="true" onClick={() => closeDrawer(true)} />
        )}
        <main ref={main} className="pane">
          {route.name === 'new' ? (
            <NewChat />
          ) : route.name === 'conversation' ? (
            <ConversationDetail key={route.id} id={route.id} />
          ) : route.name === 'archived' ? (
            <ArchivedList />
          ) : route.name === 'data' ? (
            <DataPage />
          ) : (
            <div className="pane-body">
              <h1 tabIndex={-1}>Page not found</h1>
              <p>
                <a href="/" onClick={followLink}>
                  Start a new chat
                </a>
              </p>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}

function Root({ queryClient }: { queryClient: QueryClient }) {
  const session = useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: Infinity });
  const [notice, setNotice] = useState<string>();

  const { clear } = useNotices();
  const signedOut = useCallback(
    (message?: string) => {
      setNotice(message);
      clear(); // nothing of the previous session's notices stays
      clearDrafts();
      queryClient.setQueryData<SessionState>(SESSION_KEY, (s) => ({
        demo: s?.demo ?? false,
        user: null,
      }));
      // Nothing of the previous user stays in memory for whoever signs in next.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    },
    [queryClient, clear],
  );
  const onSessionEnded = useCallback(() => signedOut(SESSION_ENDED), [signedOut]);
  const onSignedOut = useCallback(() => signedOut(), [signedOut]);

  // Any call answered UNAUTHORIZED (an expired or revoked session) leads back to signing in.
  useEffect(() => {
    window.addEventListener(UNAUTHORIZED_EVENT, onSessionEnded);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onSessionEnded);
  }, [onSessionEnded]);

  if (session.isPending) {
    return (
      <p className="state" role="status" aria-busy="true">
        Loading Parley…
      </p>
    );
  }
  if (session.isError) {
    return (
      <main className="signin">
        <h1>Parley is not reachable</h1>
        <p role="alert">The server did not answer ({session.error.message}). Is it running?</p>
        <button type="button" onClick={() => void session.refetch()}>
          Try again
        </button>
      </main>
    );
  }
  if (!session.data.user) return <SignIn demo={session.data.demo} notice={notice} />;
  return (
    <Shell
      user={session.data.user}
      demoTtlHours={session.data.demoTtlHours}
      onSessionEnded={onSessionEnded}
      onSignedOut={onSignedOut}
    />
  );
}

export function App() {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: reportUnauthorized }),
        mutationCache: new MutationCache({ onError: reportUnauthorized }),
        defaultOptions: {
          queries: {
            staleTime: 30_000,
            retry: (count, error) => !NO_RETRY.has(errorCode(error) ?? '') && count < 2,
          },
        },
      }),
  );
  const [trpcClient] = useState(createClient);
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <NoticeProvider>
          <Root queryClient={queryClient} />
        </NoticeProvider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}
