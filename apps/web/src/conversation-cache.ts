/**
 * Reads and writes of the cached conversations (the list's pages and each conversation's own
 * query), shared by mutations and live updates.
 */
import { useMemo } from 'react';
import {
  findInList,
  isAtLeastAsNew,
  patchInList,
  placeInList,
  removeFromList,
} from './list-pages.ts';
import { errorCode } from './errors.ts';
import {
  ARCHIVED_INPUT,
  LIST_INPUT,
  MESSAGES_INPUT,
  PINNED_INPUT,
  trpc,
  type Conversation,
  type Message,
} from './trpc.ts';

/** The lists a conversation may be in, and which of them it belongs to. */
const LISTS = [
  { input: LIST_INPUT, holds: (c: Conversation) => !c.archivedAt },
  { input: PINNED_INPUT, holds: (c: Conversation) => Boolean(c.pinnedAt) && !c.archivedAt },
  { input: ARCHIVED_INPUT, holds: (c: Conversation) => Boolean(c.archivedAt) },
] as const;

export function useConversationCache() {
  const utils = trpc.useUtils();
  return useMemo(() => {
    const list = utils.conversation.list;
    const get = utils.conversation.get;
    type Data = ReturnType<typeof list.getInfiniteData>;
    const setLists = (update: (data: Data, holds: (c: Conversation) => boolean) => Data) => {
      for (const { input, holds } of LISTS)
        list.setInfiniteData(input, (data) => update(data, holds));
    };
    type Messages = NonNullable<ReturnType<typeof utils.message.list.getInfiniteData>>;
    const setMessages = (conversationId: string, update: (data: Messages) => Messages) =>
      utils.message.list.setInfiniteData({ conversationId, ...MESSAGES_INPUT }, (data) =>
        data ? update(data) : data,
      );

    const cache = {
      find(id: string): Conversation | undefined {
        for (const { input } of LISTS) {
          const found = findInList(list.getInfiniteData(input), id);
          if (found) return get.getData({ id }) ?? found;
        }
        return get.getData({ id });
      },

      /** A newer copy from the server: shown everywhere, unless what is shown is newer. */
      upsert(incoming: Conversation) {
        // Each list holds what the server's would: archived ones leave the default list for the
        // archive's, pinned ones are also in the pinned list.
        setLists((data, holds) => placeInList(data, incoming, holds(incoming)));
        get.setData({ id: incoming.id }, (current) =>
          !current || isAtLeastAsNew(incoming, current) ? incoming : current,
        );
      },

      /** Changes what is shown without the server (optimistic update, rollback). */
      patch(id: string, patch: (c: Conversation) => Conversation) {
        setLists((data) => patchInList(data, id, patch));
        get.setData({ id }, (current) => current && patch(current));
      },

      remove(id: string) {
        setLists((data) => removeFromList(data, id));
        void get.invalidate({ id });
      },

      /** Reads one conversation again: after a conflict, or when a message changed its counters. */
      async refresh(id: string) {
        try {
          cache.upsert(await get.fetch({ id }, { staleTime: 0 }));
        } catch (error) {
          if (errorCode(error) === 'NOT_FOUND') cache.remove(id);
        }
      },

      /** A new message: first of the newest page (the pages run newest first). */
      addMessage(message: Message) {
        setMessages(message.conversationId, (data) => {
          const [newest, ...older] = data.pages;
          const known = data.pages.some((p) => p.items.some((m) => m.id === message.id));
          if (!newest || known) return data;
          return { ...data, pages: [{ ...newest, items: [message, ...newest.items] }, ...older] };
        });
      },

      removeMessage(conversationId: string, id: string) {
        setMessages(conversationId, (data) => ({
          ...data,
          pages: data.pages.map((p) => ({ ...p, items: p.items.filter((m) => m.id !== id) })),
        }));
      },

      /** A conversation just created here has no messages: no need to ask the server. */
      seedMessages(conversationId: string) {
        utils.message.list.setInfiniteData({ conversationId, ...MESSAGES_INPUT }, () => ({
          pages: [{ items: [], nextCursor: null }],
          pageParams: [null],
        }));
      },

      /**
       * Every conversation and message shown, read again (after missed events). Not the session
       * (utils.invalidate() would take every query): a session read failing while the server
       * restarts puts the whole app on "Parley is not reachable".
       */
      refetchAll: () => Promise.all([utils.conversation.invalidate(), utils.message.invalidate()]),
    };
    return cache;
  }, [utils]);
}

export type ConversationCache = ReturnType<typeof useConversationCache>;
