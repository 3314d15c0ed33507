/**
 * Messages for the person: a bar fixed to the bottom of the window (so showing one never moves
 * the page), read out by screen readers through live regions: errors as alerts, the rest politely.
 * A notice may carry one action, such as Undo. Its time runs only while nobody looks at it: hovered
 * or holding the focus, every notice waits. F8 moves the focus to the newest notice's action, and
 * Ctrl+Z runs the newest Undo (outside text fields, where Ctrl+Z undoes typing). A notice never
 * covers the element that has the focus: the page scrolls that element above it.
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

/** How a notice went: its time ran out, its × was pressed, its action ran, or all were cleared. */
export type NoticeEnd = 'expired' | 'dismissed' | 'action' | 'cleared';

export interface Notice {
  id: number;
  text: string;
  kind: 'info' | 'error';
  action?: { label: string; run: () => void } | undefined;
  /** Called once when the notice goes, with how. */
  onEnd?: ((how: NoticeEnd) => void) | undefined;
}

type NewNotice = Omit<Notice, 'id'>;

interface NoticeApi {
  /** Shows a notice for `ms` (errors 15 s, the rest 5 s by default); returns its id. */
  announce: (notice: NewNotice, ms?: number) => number;
  /** Changes a notice still shown and gives it its full time again; false when it has gone. */
  update: (id: number, patch: Partial<NewNotice>, ms: number) => boolean;
  dismiss: (id: number, how?: NoticeEnd) => void;
  /** Every notice goes (signing out). */
  clear: () => void;
}

const NoticeContext = createContext<NoticeApi | null>(null);

export function useNotices(): NoticeApi {
  const api = useContext(NoticeContext);
  if (!api) throw new Error('useNotices outside <NoticeProvider>');
  return api;
}

const MAX_SHOWN = 3;

interface Clock {
  remaining: number;
  startedAt: number;
  timer?: ReturnType<typeof setTimeout> | undefined;
}

const editable = (el: Element | null) =>
  el instanceof HTMLElement &&
  (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const shown = useRef<Notice[]>([]);
  const nextId = useRef(1);
  const clocks = useRef(new Map<number, Clock>());
  const paused = useRef(false);
  const region = useRef<HTMLElement>(null);

  const commit = (next: Notice[]) => {
    shown.current = next;
    setNotices(next);
  };

  const dismiss = useCallback((id: number, how: NoticeEnd = 'dismissed') => {
    const notice = shown.current.find((n) => n.id === id);
    clearTimeout(clocks.current.get(id)?.timer);
    clocks.current.delete(id);
    if (!notice) return;
    commit(shown.current.filter((n) => n.id !== id));
    notice.onEnd?.(how);
  }, []);

  const run = useCallback(
    (id: number, clock: Clock) => {
      clock.startedAt = Date.now();
      clock.timer = paused.current
        ? undefined
        : setTimeout(() => dismiss(id, 'expired'), clock.remaining);
    },
    [dismiss],
  );

  const announce = useCallback(
    (notice: NewNotice, ms = notice.kind === 'error' ? 15_000 : 5_000) => {
      const id = nextId.current++;
      const all = [...shown.current, { ...notice, id }];
      commit(all);
      // The oldest go when too many are shown; they end as if dismissed (an Undo is accepted).
      for (const old of all.slice(0, -MAX_SHOWN)) dismiss(old.id);
      const clock: Clock = { remaining: ms, startedAt: 0 };
      clocks.current.set(id, clock);
      run(id, clock);
      return id;
    },
    [dismiss, run],
  );

  const update = useCallback(
    (id: number, patch: Partial<NewNotice>, ms: number) => {
      const clock = clocks.current.get(id);
      if (!clock) return false;
      commit(shown.current.map((n) => (n.id === id ? { ...n, ...patch } : n)));
      clearTimeout(clock.timer);
      clock.remaining = ms;
      run(id, clock);
      return true;
    },
    [run],
  );

  const clear = useCallback(() => {
    for (const n of shown.current) dismiss(n.id, 'cleared');
  }, [dismiss]);

  // Hovered or focused, every notice waits; the rest of its time runs once left.
  const pause = useCallback(() => {
    if (paused.current) return;
    paused.current = true;
    const now = Date.now();
    for (const clock of clocks.current.values()) {
      clearTimeout(clock.timer);
      clock.timer = undefined;
      clock.remaining = Math.max(0, clock.remaining - (now - clock.startedAt));
    }
  }, []);
  const resume = useCallback(() => {
    const el = region.current;
    if (!paused.current || el?.matches(':hover') || el?.contains(document.activeElement)) return;
    paused.current = false;
    for (const [id, clock] of clocks.current) run(id, clock);
  }, [run]);

  // F8 reaches the newest notice; Ctrl+Z runs the newest Undo.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const newest = shown.current.findLast((n) => n.action);
      if (event.key === 'F8' && shown.current.length > 0) {
        event.preventDefault();
        const target = newest ?? shown.current.at(-1);
        region.current
          ?.querySelector<HTMLElement>(`[data-notice="${target?.id ?? -1}"] button`)
          ?.focus();
      } else if (
        (event.ctrlKey || event.metaKey) &&
        !event.shiftKey &&
        event.key.toLowerCase() === 'z' &&
        newest?.action?.label === 'Undo' &&
        !editable(document.activeElement)
      ) {
        event.preventDefault();
        dismiss(newest.id, 'action');
        newest.action.run();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dismiss]);

  // The focused element is never under a notice: it scrolls up above the bar.
  useEffect(() => {
    const uncover = () => {
      const focused = document.activeElement;
      const bar = region.current;
      if (!(focused instanceof HTMLElement) || !bar || bar.contains(focused)) return;
      const top = Math.min(
        ...[...bar.querySelectorAll('.notice')].map((n) => n.getBoundingClientRect().top),
      );
      const rect = focused.getBoundingClientRect();
      if (!Number.isFinite(top) || rect.bottom <= top || rect.height === 0) return;
      let scroller = focused.parentElement;
      while (
        scroller &&
        !(
          scroller.scrollHeight > scroller.clientHeight + 1 &&
          /auto|scroll/.test(getComputedStyle(scroller).overflowY)
        )
      ) {
        scroller = scroller.parentElement;
      }
      (scroller ?? document.scrollingElement)?.scrollBy({ top: rect.bottom - top + 8 });
    };
    const later = () => requestAnimationFrame(uncover);
    document.addEventListener('focusin', later);
    later(); // a notice just shown may be over the focused element
    const bar = region.current;
    const height = new ResizeObserver(() => {
      document.documentElement.style.setProperty('--notices-h', `${bar?.offsetHeight ?? 0}px`);
      later();
    });
    if (bar) height.observe(bar);
    return () => {
      document.removeEventListener('focusin', later);
      height.disconnect();
    };
  }, [notices]);

  useEffect(() => {
    const pending = clocks.current;
    return () => pending.forEach((clock) => clearTimeout(clock.timer));
  }, []);

  const api = useMemo(
    () => ({ announce, update, dismiss, clear }),
    [announce, update, dismiss, clear],
  );
  const render = (kind: Notice['kind']) =>
    notices
      .filter((n) => n.kind === kind)
      .map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} data-notice={n.id}>
          <p>{n.text}</p>
          {n.action && (
            <button
              type="button"
              aria-keyshortcuts={n.action.label === 'Undo' ? 'Control+Z' : undefined}
              onClick={() => {
                dismiss(n.id, 'action');
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
      <section
        ref={region}
        className="notices"
        aria-label="Notifications"
        onPointerEnter={pause}
        onPointerLeave={() => requestAnimationFrame(resume)}
        onFocus={pause}
        onBlur={() => requestAnimationFrame(resume)}
      >
        <div role="alert">{render('error')}</div>
        <div role="status">{render('info')}</div>
      </section>
    </NoticeContext.Provider>
  );
}
