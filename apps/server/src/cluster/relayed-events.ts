/**
 * Live changes across the workers of one cluster (several processes on one SQLite file): each
 * worker keeps the in-process bus for its own subscribers, and also hands every event it publishes
 * to the primary, which passes it on to every other worker's bus. A rename made through worker A
 * thus reaches an SSE subscriber on worker B, in the order A published.
 *
 * It is the same ConversationEvents interface the router uses everywhere, so another way across
 * processes (PostgreSQL's LISTEN/NOTIFY, where processes share no primary) replaces it without
 * touching the router or the services.
 */
import {
  createInProcessEvents,
  type ConversationEvent,
  type ConversationEvents,
} from '@parley/api';
import { isParleyMessage, sendToPrimary, type EventMessage } from './messages.ts';

/** How events leave this process and arrive from the others. */
export interface EventLink {
  /** Hands an event published here to the other processes; never throws. */
  send(ownerId: string, event: ConversationEvent): void;
  /** Calls `deliver` with every event another process published. */
  receive(deliver: (ownerId: string, event: ConversationEvent) => void): void;
}

export function createRelayedEvents(link: EventLink): ConversationEvents {
  const local = createInProcessEvents();
  link.receive((ownerId, event) => local.publish(ownerId, event));
  return {
    publish(ownerId, event) {
      local.publish(ownerId, event);
      link.send(ownerId, event);
    },
    subscribe: (ownerId, signal) => local.subscribe(ownerId, signal),
    close: () => local.close(),
  };
}

/** A cluster worker's link: the IPC channel to the primary, which relays to the other workers. */
export function clusterEventLink(): EventLink {
  return {
    send(ownerId, event) {
      sendToPrimary({ parley: 'event', ownerId, event });
    },
    receive(deliver) {
      process.on('message', (message: unknown) => {
        if (isParleyMessage<EventMessage>(message, 'event'))
          deliver(message.ownerId, message.event);
      });
    },
  };
}
