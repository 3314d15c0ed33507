/** The shell: who is signed in decides the screen; signed in, the path picks list or detail. */
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
import { errorCode } from './errors.ts';
import { useLiveUpdates, type LiveStatus } from './live.ts';
import { flushDeletes } from './mutations.ts';
import { NoticeProvider } from './notices.tsx';
import { followLink, parseRoute, usePathname } from './router.ts';
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

function Shell({
  user,
  onSessionEnded,
  onSignedOut,
}: {
  user: SessionUser;
  onSessionEnded: () => void;
  onSignedOut: () => void;
}) {
  const live = useLiveUpdates(onSessionEnded);
  const route = parseRoute(usePathname());
  const screen = route.name === 'conversation' ? route.id : route.name;
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // A new screen moves the focus to its heading, as a page load would.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [screen]);

  const leave = async () => {
    await flushDeletes();
    await signOut();
    onSignedOut();
  };

  return (
    <>
      <header className="top">
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
        <span className="who">
          {user.demo ? 'Demo visitor' : user.name} <span className="org">@ {user.org}</span>
        </span>
        <button type="button" className="quiet" onClick={() => void leave()}>
          Sign out
        </button>
      </header>
      <main ref={main}>
        {route.name === 'list' ? (
          <ConversationList />
        ) : route.name === 'conversation' ? (
          <ConversationDetail key={route.id} id={route.id} />
        ) : (
          <>
            <h1 tabIndex={-1}>Page not found</h1>
            <p>
              <a href="/" onClick={followLink}>
                Go to your conversations
              </a>
            </p>
          </>
        )}
      </main>
    </>
  );
}

function Root({ queryClient }: { queryClient: QueryClient }) {
  const session = useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: Infinity });
  const [notice, setNotice] = useState<string>();

  const signedOut = useCallback(
    (message?: string) => {
      setNotice(message);
      queryClient.setQueryData<SessionState>(SESSION_KEY, (s) => ({
        demo: s?.demo ?? false,
        user: null,
      }));
      // Nothing of the previous user stays in memory for whoever signs in next.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    },
    [queryClient],
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
    <Shell user={session.data.user} onSessionEnded={onSessionEnded} onSignedOut={onSignedOut} />
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
