/**
 * The tRPC client: queries and mutations over HTTP (batched), the live-change subscription over
 * server-sent events. Every type comes from the server's router; the browser gets no server code.
 * Credentials travel as the session cookie (same origin), never in JavaScript-readable storage.
 */
import type { AppRouter, RouterInputs, RouterOutputs } from '@parley/api';
import { httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';

export const trpc = createTRPCReact<AppRouter>();

export type Conversation = RouterOutputs['conversation']['get'];
export type ConversationPage = RouterOutputs['conversation']['list'];
export type Message = RouterOutputs['message']['append'];
export type MessagePage = RouterOutputs['message']['list'];
export type RenameInput = RouterInputs['conversation']['rename'];
export type SearchResult = RouterOutputs['conversation']['search']['items'][number];
export type { ConversationEvent } from '@parley/api';

/** One page of the conversation list; the key of the list's infinite query. */
export const LIST_INPUT = { limit: 20 } as const;
/** The pinned conversations, shown above the others (one page: pins are few). */
export const PINNED_INPUT = { limit: 100, pinned: true } as const;
/** The archive view's pages. */
export const ARCHIVED_INPUT = { limit: 20, archived: 'only' } as const;
/** A conversation's messages, newest first: it opens at its end and loads older ones upward. */
export const MESSAGES_INPUT = { limit: 50, order: 'desc' } as const;

export function createClient() {
  return trpc.createClient({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: '/trpc' }),
        false: httpBatchLink({ url: '/trpc' }),
      }),
    ],
  });
}
