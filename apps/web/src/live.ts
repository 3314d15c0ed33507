/**
 * Live updates: one subscription to the caller's own changes (server-sent events). Renames,
 * creates, deletes and messages made in another tab or through any REST face show up here
 * without reloading. Events are not replayed, so every (re)connection refetches what is shown;
 * when the server ends the stream (a restart), the client subscribes again after a pause.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useConversationCache, type ConversationCache } from './conversation-cache.ts';
import { errorCode } from './errors.ts';
import { trpc, type ConversationEvent } from './trpc.ts';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'off';

export function applyEvent(cache: ConversationCache, event: ConversationEvent): void {
  switch (event.type) {
    case 'created':
    case 'renamed':
    case 'updated':
      cache.upsert(event.conversation);
      break;
    case 'deleted':
      cache.remove(event.id);
      break;
    case 'message_appended':
      cache.addMessage(event.message);
      void cache.refresh(event.message.conversationId);
      break;
    case 'message_deleted':
      cache.removeMessage(event.conversationId, event.id);
      void cache.refresh(event.conversationId);
      break;
    case 'resync':
      void cache.refetchAll();
      break;
  }
}

/**
 * A read that the server answered before a change can land after the change's event: the page
 * would put back what was there before (a conversation created while the list is read again,
 * as it is whenever the stream connects, vanished until the next event). So an event that arrives
 * while any query is fetching is applied at once and again once nothing is fetching. Applying an
 * event twice changes nothing (older copies never replace newer ones); only the cache writes are
 * replayed, not the reads an event starts.
 */
export function eventReplay(queryClient: QueryClient, cache: ConversationCache) {
  let kept: ConversationEvent[] = [];
  let unsubscribe: (() => void) | undefined;
  const replay = () => {
    if (queryClient.isFetching() > 0) return;
    unsubscribe?.();
    unsubscribe = undefined;
    const events = kept;
    kept = [];
    for (const event of events) {
      if (event.type === 'message_appended') cache.addMessage(event.message);
      else if (event.type === 'message_deleted')
        cache.removeMessage(event.conversationId, event.id);
      else if (event.type !== 'resync') applyEvent(cache, event);
    }
  };
  return {
    apply(event: ConversationEvent) {
      applyEvent(cache, event);
      if (queryClient.isFetching() === 0) return;
      kept.push(event);
      // The cache tells of each fetch's end; the writes wait until it has finished telling.
      unsubscribe ??= queryClient.getQueryCache().subscribe(() => queueMicrotask(replay));
    },
    stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      kept = [];
    },
  };
}

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

export function useLiveUpdates(onSessionEnded: () => void): LiveStatus {
  const client = trpc.useUtils().client;
  const queryClient = useQueryClient();
  const cache = useConversationCache();
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    let stopped = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let subscription: { unsubscribe(): void } | undefined;
    const events = eventReplay(queryClient, cache);

    const again = () => {
      if (stopped) return;
      setStatus('reconnecting');
      retry = setTimeout(start, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
    };

    function start() {
      subscription?.unsubscribe();
      subscription = client.conversation.changes.subscribe(undefined, {
        onStarted() {
          attempt = 0;
          setStatus('live');
          // Whatever changed while no stream was open reaches the page this way.
          void cache.refetchAll();
        },
        onData: (event) => events.apply(event),
        onConnectionStateChange(state) {
          if (state.state === 'connecting' && state.error) setStatus('reconnecting');
        },
        onError(error) {
          if (errorCode(error) === 'UNAUTHORIZED') {
            setStatus('off');
            onSessionEnded();
            return;
          }
          again();
        },
        onComplete: again,
      });
    }

    start();
    return () => {
      stopped = true;
      clearTimeout(retry);
      subscription?.unsubscribe();
      events.stop();
    };
  }, [client, queryClient, cache, onSessionEnded]);

  return status;
}
