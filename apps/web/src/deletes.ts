/**
 * Delete with an undo window: the row disappears at once, and the delete reaches the server only
 * when the window ends (or when the list goes away, or the person signs out). Closing the tab
 * inside the window keeps the conversation: the safe direction.
 */
import { useSyncExternalStore } from 'react';

export const UNDO_WINDOW_MS = 6_000;

interface Pending {
  timer: ReturnType<typeof setTimeout>;
  commit: () => Promise<void>;
}

const pending = new Map<string, Pending>();
let snapshot: ReadonlySet<string> = new Set();
const listeners = new Set<() => void>();

function changed() {
  snapshot = new Set(pending.keys());
  for (const listener of listeners) listener();
}

/** Hides the conversation now and runs `commit` when the window ends, unless undone. */
export function scheduleDelete(id: string, commit: () => Promise<void>): void {
  cancelDelete(id);
  const timer = setTimeout(() => void runNow(id), UNDO_WINDOW_MS);
  pending.set(id, { timer, commit });
  changed();
}

export function cancelDelete(id: string): boolean {
  const entry = pending.get(id);
  if (!entry) return false;
  clearTimeout(entry.timer);
  pending.delete(id);
  changed();
  return true;
}

async function runNow(id: string): Promise<void> {
  const entry = pending.get(id);
  if (!entry) return;
  clearTimeout(entry.timer);
  try {
    await entry.commit();
  } finally {
    pending.delete(id);
    changed();
  }
}

/** Sends every pending delete now (before signing out). */
export function flushDeletes(): Promise<void> {
  return Promise.all([...pending.keys()].map(runNow)).then(() => undefined);
}

export function usePendingDeletes(): ReadonlySet<string> {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => snapshot,
  );
}
