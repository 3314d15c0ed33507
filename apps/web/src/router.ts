/**
 * Four screens, four paths: `/` (a new chat, not created yet), `/c/<id>` (one conversation),
 * `/archived` (the archive) and `/data` (import and export), beside the conversation list.
 * History API only.
 */
import { useSyncExternalStore, type MouseEvent } from 'react';
import { ARCHIVE_ROUTE, CONVERSATION_PATH, DATA_ROUTE } from './routes.ts';

export type Route =
  | { name: 'new' }
  | { name: 'conversation'; id: string }
  | { name: 'archived' }
  | { name: 'data' }
  | { name: 'missing' };

const NAVIGATE = 'parley:navigate';

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'new' };
  if (ARCHIVE_ROUTE.test(pathname)) return { name: 'archived' };
  if (DATA_ROUTE.test(pathname)) return { name: 'data' };
  const match = CONVERSATION_PATH.exec(pathname);
  return match?.[1] ? { name: 'conversation', id: match[1] } : { name: 'missing' };
}

/** A conversation's path; with a message id, the conversation opens at that message. */
export const conversationPath = (id: string, messageId?: string | null) =>
  `/c/${id}${messageId ? `?message=${encodeURIComponent(messageId)}` : ''}`;
export const ARCHIVE_PATH = '/archived';
export const DATA_PATH = '/data';

/** Where the focus goes on the new screen: its heading (as a page load), or its message box. */
export type FocusTarget = 'heading' | 'composer' | 'none';
let nextFocus: FocusTarget = 'heading';

export function navigate(path: string, options: { focus?: FocusTarget } = {}): void {
  nextFocus = options.focus ?? 'heading';
  if (path === location.pathname + location.search) {
    window.dispatchEvent(new Event(FOCUS_AGAIN));
    return;
  }
  history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE));
}

/** The focus the last navigation asked for (read once by the shell). */
export function takeFocusTarget(): FocusTarget {
  const target = nextFocus;
  nextFocus = 'heading';
  return target;
}

/** Sent when a navigation goes to the screen already shown (New chat on New chat). */
export const FOCUS_AGAIN = 'parley:focus-again';

function subscribe(onChange: () => void) {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE, onChange);
  };
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

/** One parameter of the address's query (`?message=…`), or null. */
export function useSearchParam(name: string): string | null {
  return useSyncExternalStore(subscribe, () => new URLSearchParams(location.search).get(name));
}

/** For <a href> elements: a plain click navigates in place; modified clicks open tabs as usual. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  event.preventDefault();
  navigate(event.currentTarget.pathname + event.currentTarget.search);
}
