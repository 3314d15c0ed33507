/**
 * Live updates: one subscription to the caller's own changes (server-sent events). Renames,
 * creates, deletes and messages made in another tab or through any REST face show up here
 * without reloading. Events are not replayed, so every (re)connection refetches what is shown;
 * when the server ends the stream (a restart), the client subscribes again after a pause.
 */
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
    case 'resync':
      void cache.refetchAll();
      break;
  }
}

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

export function useLiveUpdates(onSessionEnded: () => void): LiveStatus {
  const client = trpc.useUtils().client;
  const cache = useConversationCache();
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    let stopped = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let subscription: { unsubscribe(): void } | undefined;

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
        onData: (event) => applyEvent(cache, event),
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
    };
  }, [client, cache, onSessionEnded]);

  return status;
}
