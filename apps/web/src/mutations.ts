/**
 * Every write the web app makes, as hooks: create, rename, delete and append. Each is shown at
 * once and made right by the server, or rolled back with a notice that says why; a delete waits
 * out an undo window first.
 */
import { normalizeTitle } from '@parley/api/rules';
import { useEffect, useSyncExternalStore } from 'react';
import { useConversationCache } from './conversation-cache.ts';
import { actionErrorMessage, errorCode, renameErrorMessage } from './errors.ts';
import { useNotices } from './notices.tsx';
import { trpc, type Conversation } from './trpc.ts';

export function useCreateConversation() {
  const cache = useConversationCache();
  const { announce } = useNotices();
  return trpc.conversation.create.useMutation({
    onSuccess(conversation) {
      cache.upsert(conversation); // first in the list, without a refetch
      announce({ kind: 'info', text: `Created “${conversation.title}”.` });
    },
    onError(error) {
      announce({ kind: 'error', text: actionErrorMessage('create the conversation', error) });
    },
  });
}

export interface RenameRequest {
  conversation: Conversation;
  title: string;
  /** The version the person started editing from: a rename made since then is a conflict. */
  baseVersion: number;
}

interface RenameContext {
  before: Conversation | undefined;
  shown: string;
}

/**
 * Optimistic rename: the new title shows at once; if the server refuses (too long, blank, renamed
 * elsewhere since editing began), the previous title comes back and a notice says why. Refused
 * because the conversation was deleted elsewhere, it goes from the page, with a notice.
 */
export function useRenameConversation() {
  const cache = useConversationCache();
  const utils = trpc.useUtils();
  const { announce } = useNotices();
  const mutation = trpc.conversation.rename.useMutation<RenameContext>({
    async onMutate(input) {
      await utils.conversation.list.cancel();
      const before = cache.find(input.id);
      const normalized = normalizeTitle(input.title);
      const shown = normalized.ok ? normalized.title : input.title;
      cache.patch(input.id, (c) => ({ ...c, title: shown }));
      return { before, shown };
    },
    onSuccess(conversation) {
      cache.upsert(conversation);
    },
    async onError(error, input, context) {
      const { before, shown } = context ?? { before: undefined, shown: input.title };
      // Roll back only our own optimistic title: a newer one from elsewhere stays.
      if (before) cache.patch(input.id, (c) => (c.title === shown ? { ...c, ...before } : c));
      const code = errorCode(error);
      if (code === 'NOT_FOUND') cache.remove(input.id);
      if (code === 'CONFLICT') await cache.refresh(input.id);
      announce({
        kind: 'error',
        text: renameErrorMessage(error, shown, cache.find(input.id)?.title),
      });
    },
  });

  return {
    rename: ({ conversation, title, baseVersion }: RenameRequest) =>
      mutation.mutate({ id: conversation.id, title, expectedVersion: baseVersion }),
    isPending: mutation.isPending,
  };
}

/**
 * A message added here: shown at the end at once, and the conversation's counters read again.
 * `onSent` runs in the same update as the message showing (a form clears its text there: never
 * the text in the box and in the list at once).
 */
export function useAppendMessage(onSent: () => void) {
  const cache = useConversationCache();
  const { announce } = useNotices();
  return trpc.message.append.useMutation({
    onSuccess(message) {
      cache.addMessage(message);
      void cache.refresh(message.conversationId);
      onSent();
    },
    onError(error) {
      announce({ kind: 'error', text: actionErrorMessage('send the message', error) });
    },
  });
}

// Delete with an undo window: the row disappears at once, and the delete reaches the server only
// when the window ends (or when the list goes away, or the person signs out). Closing the tab
// inside the window keeps the conversation: the safe direction.

const UNDO_WINDOW_MS = 6_000;

interface PendingDelete {
  timer: ReturnType<typeof setTimeout>;
  commit: () => Promise<void>;
}

const pendingDeletes = new Map<string, PendingDelete>();
let pendingSnapshot: ReadonlySet<string> = new Set();
const pendingListeners = new Set<() => void>();

function pendingChanged() {
  pendingSnapshot = new Set(pendingDeletes.keys());
  for (const listener of pendingListeners) listener();
}

/** Hides the conversation now and runs `commit` when the window ends, unless undone. */
function scheduleDelete(id: string, commit: () => Promise<void>): void {
  cancelDelete(id);
  const timer = setTimeout(() => void runDeleteNow(id), UNDO_WINDOW_MS);
  pendingDeletes.set(id, { timer, commit });
  pendingChanged();
}

function cancelDelete(id: string): boolean {
  const entry = pendingDeletes.get(id);
  if (!entry) return false;
  clearTimeout(entry.timer);
  pendingDeletes.delete(id);
  pendingChanged();
  return true;
}

async function runDeleteNow(id: string): Promise<void> {
  const entry = pendingDeletes.get(id);
  if (!entry) return;
  clearTimeout(entry.timer);
  try {
    await entry.commit();
  } finally {
    pendingDeletes.delete(id);
    pendingChanged();
  }
}

/** Sends every pending delete now (before signing out). */
export function flushDeletes(): Promise<void> {
  return Promise.all([...pendingDeletes.keys()].map(runDeleteNow)).then(() => undefined);
}

/** The conversations deleted but still inside their undo window: the list hides them. */
export function usePendingDeletes(): ReadonlySet<string> {
  return useSyncExternalStore(
    (listener) => {
      pendingListeners.add(listener);
      return () => pendingListeners.delete(listener);
    },
    () => pendingSnapshot,
  );
}

/**
 * Delete with Undo: hides the row (then `focusAfter` moves the focus), announces the delete with
 * an Undo action, and sends it when the window ends.
 */
export function useDeleteWithUndo(focusAfter: (id: string) => void) {
  const cache = useConversationCache();
  const { announce, dismiss } = useNotices();
  const remove = trpc.conversation.delete.useMutation();

  // Leaving the list (or the page's JavaScript going away) sends what is pending.
  useEffect(() => () => void flushDeletes(), []);

  return (conversation: Conversation) => {
    focusAfter(conversation.id);
    let noticeId = 0;
    scheduleDelete(conversation.id, async () => {
      dismiss(noticeId);
      try {
        await remove.mutateAsync({ id: conversation.id });
        cache.remove(conversation.id);
      } catch (error) {
        if (errorCode(error) === 'NOT_FOUND') cache.remove(conversation.id);
        else announce({ kind: 'error', text: actionErrorMessage('delete it', error) });
      }
    });
    noticeId = announce(
      {
        kind: 'info',
        text: `Deleted “${conversation.title}”.`,
        action: {
          label: 'Undo',
          run: () => {
            if (!cancelDelete(conversation.id)) return;
            requestAnimationFrame(() =>
              document
                .querySelector<HTMLButtonElement>(`[data-id="${conversation.id}"] .delete`)
                ?.focus(),
            );
          },
        },
      },
      UNDO_WINDOW_MS + 500, // the notice outlasts the window a little
    );
  };
}
