/**
 * Messages for the person: a bar fixed to the bottom of the window (so showing one never moves
 * the page), read out by screen readers through live regions: errors as alerts, the rest politely.
 * A notice may carry one action, such as Undo.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';

export interface Notice {
  id: number;
  text: string;
  kind: 'info' | 'error';
  action?: { label: string; run: () => void } | undefined;
}

interface NoticeApi {
  /** Shows a notice for `ms` (errors 15 s, the rest 5 s by default); returns its id. */
  announce: (notice: Omit<Notice, 'id'>, ms?: number) => number;
  dismiss: (id: number) => void;
}

const NoticeContext = createContext<NoticeApi | null>(null);

export function useNotices(): NoticeApi {
  const api = useContext(NoticeContext);
  if (!api) throw new Error('useNotices outside <NoticeProvider>');
  return api;
}

const MAX_SHOWN = 3;

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setNotices((all) => all.filter((n) => n.id !== id));
  }, []);

  const announce = useCallback(
    (notice: Omit<Notice, 'id'>, ms = notice.kind === 'error' ? 15_000 : 5_000) => {
      const id = nextId.current++;
      setNotices((all) => [...all, { ...notice, id }].slice(-MAX_SHOWN));
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), ms),
      );
      return id;
    },
    [dismiss],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => clearTimeout(timer));
  }, []);

  const api = useMemo(() => ({ announce, dismiss }), [announce, dismiss]);
  const render = (kind: Notice['kind']) =>
    notices
      .filter((n) => n.kind === kind)
      .map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`}>
          <p>{n.text}</p>
          {n.action && (
            <button
              type="button"
              onClick={() => {
                dismiss(n.id);
                n.action?.run();
              }}
            >
              {n.action.label}
            </button>
          )}
          <button
            type="button"
            className="quiet"
            aria-label="Dismiss notification"
            onClick={() => dismiss(n.id)}
          >
            ×
          </button>
        </div>
      ));

  return (
    <NoticeContext.Provider value={api}>
      {children}
      <section className="notices" aria-label="Notifications">
        <div role="alert">{render('error')}</div>
        <div role="status">{render('info')}</div>
      </section>
    </NoticeContext.Provider>
  );
}
