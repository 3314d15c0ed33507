/** Two screens, two paths: `/` (the list) and `/c/<id>` (one conversation). History API only. */
import { useSyncExternalStore, type MouseEvent } from 'react';
import { CONVERSATION_PATH } from './routes.ts';

export type Route = { name: 'list' } | { name: 'conversation'; id: string } | { name: 'missing' };

const NAVIGATE = 'parley:navigate';

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'list' };
  const match = CONVERSATION_PATH.exec(pathname);
  return match?.[1] ? { name: 'conversation', id: match[1] } : { name: 'missing' };
}

export const conversationPath = (id: string) => `/c/${id}`;

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE));
}

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

/** For <a href> elements: a plain click navigates in place; modified clicks open tabs as usual. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  event.preventDefault();
  navigate(event.currentTarget.pathname);
}
