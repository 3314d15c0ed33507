/**
 * Every write the web app makes, as hooks: start (create with a first message), rename, delete
 * and append. Each is shown at
 * once and made right by the server, or rolled back with a notice that says why; a delete waits
 * out an undo window first.
 */
import { normalizeTitle } from '@parley/api/rules';
import type { MessageRole } from '@parley/api/rules';
import { useSyncExternalStore } from 'react';
import { useConversationCache } from './conversation-cache.ts';
import { setDraft } from './drafts.ts';
import { focusNextFrame } from './focus.ts';
import { actionErrorMessage, errorCode, renameErrorMessage } from './errors.ts';
import { useNotices } from './notices.tsx';
import { conversationPath, navigate } from './router.ts';
import { trpc, type Conversation, type Message } from './trpc.ts';

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

/** The draft key of the composer of a conversation not created yet ("New chat"). */
export const NEW_CHAT = 'new';

let pendingIds = 0;

/**
 * A message sent from here: shown at the end at once (marked as sending), then replaced by the
 * server's copy; refused, it goes and its text comes back to the box (if the box is empty).
 */
export function useAppendMessage() {
  const cache = useConversationCache();
  const { announce } = useNotices();
  return trpc.message.append.useMutation<{ shown: Message }>({
    onMutate(input) {
      const shown: Message = {
        id: `pending-${++pendingIds}`,
        conversationId: input.conversationId,
        role: input.role,
        content: input.content,
        createdAt: new Date().toISOString(),
      };
      cache.addMessage(shown);
      return { shown };
    },
    onSuccess(message, _input, context) {
      cache.removeMessage(message.conversationId, context.shown.id);
      cache.addMessage(message);
      void cache.refresh(message.conversationId); // its count, time and place in the list
    },
    onError(error, input, context) {
      if (context) cache.removeMessage(input.conversationId, context.shown.id);
      setDraft(input.conversationId, (text) => text || input.content);
      announce({
        kind: 'error',
        text: `${actionErrorMessage('send the message', error)} Its text is back in the box.`,
      });
    },
  });
}

/**
 * "New chat": the conversation is created when its first message is sent, then opened with that
 * message shown at once (the server names it from the message; the title arrives live).
 */
export function useStartConversation() {
  const cache = useConversationCache();
  const { announce } = useNotices();
  const create = trpc.conversation.create.useMutation();
  const append = useAppendMessage();
  const start = async (first: { role: MessageRole; content: string }) => {
    let conversation: Conversation;
    try {
      conversation = await create.mutateAsync({});
    } catch (error) {
      setDraft(NEW_CHAT, (text) => text || first.content);
      announce({ kind: 'error', text: actionErrorMessage('start the conversation', error) });
      return;
    }
    cache.upsert(conversation); // first in the list, without a refetch
    cache.seedMessages(conversation.id);
    navigate(conversationPath(conversation.id), { focus: 'composer' });
    append.mutate({ conversationId: conversation.id, ...first });
  };
  return { start, isPending: create.isPending };
}

// Delete with an undo window: the row disappears at once, and the delete reaches the server only
// when the window ends. Deletes made while a window is open join it (a burst): one notice,
// "Deleted 4 conversations", one Undo for all of them, and a window that starts again with each
// one, so the first of a burst is never sent before its Undo has gone. The notice holds the
// window: while it is hovered or focused, nothing is sent. Signing out sends what is pending;
// closing the tab inside the window keeps the conversations: the safe direction.

const UNDO_WINDOW_MS = 6_000;

interface Burst {
  conversations: Conversation[];
  commit: (c: Conversation) => Promise<void>;
  noticeId: number;
  dismiss: (id: number) => void;
  sent?: Promise<void>;
}

let burst: Burst | null = null;
let pendingSnapshot: ReadonlySet<string> = new Set();
const pendingListeners = new Set<() => void>();

function setPending(ids: Iterable<string>) {
  pendingSnapshot = new Set(ids);
  for (const listener of pendingListeners) listener();
}

function send(b: Burst): Promise<void> {
  if (burst === b) burst = null;
  b.sent ??= Promise.all(b.conversations.map((c) => b.commit(c))).then(() => {
    const gone = new Set(b.conversations.map((c) => c.id));
    setPending([...pendingSnapshot].filter((id) => !gone.has(id)));
  });
  return b.sent;
}

/** Sends every pending delete now (before signing out). */
export function flushDeletes(): Promise<void> {
  const b = burst;
  if (!b) return Promise.resolve();
  b.dismiss(b.noticeId); // its end sends it
  return send(b);
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

const deletedText = (cs: Conversation[]) =>
  cs.length === 1 ? `Deleted “${cs[0]!.title}”.` : `Deleted ${cs.length} conversations.`;

/**
 * Delete with Undo: hides the row (then `focusAfter` moves the focus), announces the delete (or
 * adds it to the burst's notice) with an Undo action, and sends the burst when its window ends.
 * Undo brings every conversation of the burst back and focuses the first of them.
 */
export function useDeleteWithUndo(focusAfter: (id: string) => void) {
  const cache = useConversationCache();
  const { announce, update, dismiss } = useNotices();
  const remove = trpc.conversation.delete.useMutation();

  const commit = async (conversation: Conversation) => {
    try {
      await remove.mutateAsync({ id: conversation.id });
      cache.remove(conversation.id);
    } catch (error) {
      if (errorCode(error) === 'NOT_FOUND') cache.remove(conversation.id);
      else
        announce({
          kind: 'error',
          text: actionErrorMessage(`delete “${conversation.title}”`, error),
        });
    }
  };

  return (conversation: Conversation) => {
    focusAfter(conversation.id);
    setPending([...pendingSnapshot, conversation.id]);
    const current = burst;
    if (current && !current.sent) {
      current.conversations.push(conversation);
      if (update(current.noticeId, { text: deletedText(current.conversations) }, UNDO_WINDOW_MS)) {
        return;
      }
    }
    const b: Burst = { conversations: [conversation], commit, noticeId: 0, dismiss };
    burst = b;
    b.noticeId = announce(
      {
        kind: 'info',
        text: deletedText(b.conversations),
        action: {
          label: 'Undo',
          run: () => {
            if (burst === b) burst = null;
            const back = new Set(b.conversations.map((c) => c.id));
            setPending([...pendingSnapshot].filter((id) => !back.has(id)));
            const first = b.conversations[0]!.id;
            focusNextFrame(() =>
              document.querySelector<HTMLElement>(`[data-id="${first}"] .title`),
            );
          },
        },
        onEnd: (how) => {
          if (how !== 'action') void send(b);
        },
      },
      UNDO_WINDOW_MS,
    );
  };
}

export type Mark = 'pin' | 'unpin' | 'archive' | 'unarchive';

const MARK_DONE: Record<Mark, string> = {
  pin: 'Pinned',
  unpin: 'Unpinned',
  archive: 'Archived',
  unarchive: 'Restored from the archive',
};
const UNDO_MARK: Partial<Record<Mark, Mark>> = { archive: 'unarchive', unarchive: 'archive' };

/**
 * Pin, unpin, archive and unarchive: sent at once, shown when the server answers (its copy goes
 * to every list: pinned ones above the others, archived ones to the archive view). Archiving is
 * announced with an Undo, since the conversation leaves the list under the pointer.
 */
export function useMarkConversation() {
  const cache = useConversationCache();
  const { announce } = useNotices();
  const marks = {
    pin: trpc.conversation.pin.useMutation(),
    unpin: trpc.conversation.unpin.useMutation(),
    archive: trpc.conversation.archive.useMutation(),
    unarchive: trpc.conversation.unarchive.useMutation(),
  };
  const mark = async (conversation: Conversation, how: Mark, announced = true) => {
    try {
      const marked = await marks[how].mutateAsync({ id: conversation.id });
      cache.upsert(marked);
      const undo = UNDO_MARK[how];
      if (announced && undo) {
        announce({
          kind: 'info',
          text: `${MARK_DONE[how]} “${marked.title}”.`,
          action: { label: 'Undo', run: () => void mark(marked, undo, false) },
        });
      }
    } catch (error) {
      if (errorCode(error) === 'NOT_FOUND') cache.remove(conversation.id);
      announce({
        kind: 'error',
        text: actionErrorMessage(`${how} “${conversation.title}”`, error),
      });
    }
  };
  return (conversation: Conversation, how: Mark) => void mark(conversation, how);
}
