/** Create and rename: shown at once, and made right (or rolled back, with a reason) by the server. */
import { normalizeTitle } from '@parley/api/rules';
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
 * elsewhere since editing began, deleted), the previous title comes back and a notice says why.
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
