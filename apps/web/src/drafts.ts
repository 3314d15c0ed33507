/**
 * What is typed in each conversation's message box, kept while the person looks elsewhere (and
 * where a message that could not be sent comes back to). In memory only: a reload starts empty.
 */
import { useCallback, useSyncExternalStore } from 'react';

const drafts = new Map<string, string>();
const listeners = new Set<() => void>();

export function setDraft(key: string, next: string | ((text: string) => string)): void {
  const text = typeof next === 'function' ? next(drafts.get(key) ?? '') : next;
  if (text) drafts.set(key, text);
  else drafts.delete(key);
  for (const listener of listeners) listener();
}

/** Every draft goes (signing out). */
export function clearDrafts(): void {
  drafts.clear();
  for (const listener of listeners) listener();
}

export function useDraft(key: string): [string, (text: string) => void] {
  const text = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => drafts.get(key) ?? '',
  );
  return [text, useCallback((next: string) => setDraft(key, next), [key])];
}
