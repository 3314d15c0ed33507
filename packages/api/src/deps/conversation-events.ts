/**
 * Live changes to conversations, for the `conversation.changes` subscription. Writers publish after
 * a successful write; each event is addressed to the conversation's owner and only that user's
 * subscribers receive it, so an event can never leak to another user.
 *
 * The in-process bus below reaches the subscribers of this process only. Across processes the
 * same interface is implemented over it: by the cluster's IPC relay on SQLite (apps/server's
 * cluster/relayed-events.ts), by LISTEN/NOTIFY on PostgreSQL (postgres-events.ts).
 */
import type { ConversationDto, MessageDto } from '../data/dto.ts';

export type ConversationEvent =
  | { type: 'created'; conversation: ConversationDto }
  | { type: 'renamed'; conversation: ConversationDto }
  /** Anything else about it changed (pinned, archived, their undoing, or its metadata). */
  | { type: 'updated'; conversation: ConversationDto }
  | { type: 'deleted'; id: string }
  | { type: 'message_appended'; message: MessageDto }
  | { type: 'message_deleted'; conversationId: string; id: string }
  /** Events were dropped (a subscriber too slow to keep up): refetch what is shown. */
  | { type: 'resync' };

export interface ConversationEvents {
  /** Delivers the event to the current subscribers of the owner; never throws, never waits. */
  publish(ownerId: string, event: ConversationEvent): void;
  /** The owner's events from now on, until `signal` aborts or the bus closes. */
  subscribe(ownerId: string, signal?: AbortSignal): AsyncIterable<ConversationEvent>;
  /** Ends every subscription (server shutdown), so open streams do not hold the process up. */
  close(): void;
}

/** How many undelivered events a subscriber may hold before it is told to resync instead. */
const MAX_QUEUED = 256;

interface Subscriber {
  queue: ConversationEvent[];
  wake: (() => void) | null;
  ended: boolean;
}

export interface InProcessEvents extends ConversationEvents {
  /** How many subscriptions the owner has open (for tests and diagnostics). */
  subscribers(ownerId: string): number;
  /** Tells every current subscriber, of every owner, to resync (events may have been missed). */
  resyncAll(): void;
}

export function createInProcessEvents(): InProcessEvents {
  const byOwner = new Map<string, Set<Subscriber>>();
  let closed = false;

  const end = (sub: Subscriber) => {
    sub.ended = true;
    sub.wake?.();
  };

  const deliver = (sub: Subscriber, event: ConversationEvent) => {
    if (sub.queue.length >= MAX_QUEUED) sub.queue = [{ type: 'resync' }];
    else sub.queue.push(event);
    sub.wake?.();
  };

  return {
    publish(ownerId, event) {
      for (const sub of byOwner.get(ownerId) ?? []) deliver(sub, event);
    },

    resyncAll() {
      for (const subs of byOwner.values()) for (const sub of subs) deliver(sub, { type: 'resync' });
    },

    async *subscribe(ownerId, signal) {
      if (closed || signal?.aborted) return;
      const sub: Subscriber = { queue: [], wake: null, ended: false };
      const subs = byOwner.get(ownerId) ?? new Set();
      byOwner.set(ownerId, subs.add(sub));
      const onAbort = () => end(sub);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        while (!sub.ended) {
          const next = sub.queue.shift();
          if (next) {
            yield next;
            continue;
          }
          await new Promise<void>((resolve) => (sub.wake = resolve));
          sub.wake = null;
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        subs.delete(sub);
        if (subs.size === 0) byOwner.delete(ownerId);
      }
    },

    subscribers: (ownerId) => byOwner.get(ownerId)?.size ?? 0,

    close() {
      closed = true;
      for (const subs of byOwner.values()) for (const sub of subs) end(sub);
    },
  };
}
