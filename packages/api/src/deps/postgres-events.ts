/**
 * Live changes across every process on one PostgreSQL database (several servers, on one machine
 * or many), over LISTEN/NOTIFY. Each process keeps the in-process bus for its own subscribers,
 * delivers what it publishes there at once, and NOTIFYs the others; one connection per process
 * LISTENs and hands what the others published to its bus.
 *
 * A notification's payload must stay under PostgreSQL's 8,000 bytes, and a conversation with
 * its metadata (~9 KB at most) or a message (32,000 characters) can be larger: an event whose
 * JSON fits in INLINE_BYTES travels whole, a larger one as the ids of what changed, which the
 * receiving process reads back owner-scoped, and only if one of its subscribers is that owner's.
 * Such a read returns the row as it is by then, which may be newer than the event (never older).
 *
 * NOTIFY is not transactional with the write it announces (it is sent after the commit), and
 * notifications sent while a listener is disconnected are lost to it: when its connection comes
 * back, every subscriber of that process gets `resync` and refetches what it shows.
 */
import { randomUUID } from 'node:crypto';
import { listenForNotifications, type Db, type NotificationListener } from '@parley/db';
import { toConversationDto, toMessageDto } from '../data/dto.ts';
import { selectMessage, selectOwned } from '../data/statements.ts';
import type { ApiLogger } from './api-deps.ts';
import {
  createInProcessEvents,
  type ConversationEvent,
  type ConversationEvents,
} from './conversation-events.ts';

/** The channel every Parley process on the database LISTENs on. */
export const EVENTS_CHANNEL = 'parley_conversation_events';

/** An event whose payload is larger goes as ids: well below PostgreSQL's 8,000-byte limit. */
export const INLINE_BYTES = 4_000;

/** Notifications sent in one statement when they queue up (a burst of writes). */
const BATCH = 100;
/** Undelivered events held before they collapse into one resync per owner. */
const MAX_PENDING = 10_000;

/** What a process NOTIFYs: its own id (to skip its echo), the owner, the event or its ids. */
type Wire =
  | { from: string; owner: string; event: ConversationEvent }
  | { from: string; owner: string; ref: Ref };

/** The ids of a large event: enough to read what it carried back. */
type Ref =
  | { type: 'created' | 'renamed' | 'updated'; id: string }
  | { type: 'message_appended'; conversationId: string; id: string };

export interface PostgresEventsOptions {
  db: Db;
  /** DATABASE_URL: the listening connection is made from it as the pool's are. */
  url: string;
  logger?: ApiLogger | undefined;
}

export interface PostgresEvents extends ConversationEvents {
  /**
   * Resolves once every event published so far has been sent and the listening connection is
   * closed (after close(), before the database closes).
   */
  settled(): Promise<void>;
}

/** The ids that stand for an event too large to send whole. */
function refOf(event: ConversationEvent): Ref | undefined {
  switch (event.type) {
    case 'created':
    case 'renamed':
    case 'updated':
      return { type: event.type, id: event.conversation.id };
    case 'message_appended':
      return {
        type: 'message_appended',
        conversationId: event.message.conversationId,
        id: event.message.id,
      };
    default:
      return undefined; // the others are a few ids already
  }
}

/** What a large event may be sent as. */
const REF_TYPES = new Set<unknown>(['created', 'renamed', 'updated', 'message_appended']);

/** The shape of a Wire, for what arrives on the channel (anyone may NOTIFY on it). */
function isWire(value: unknown): value is Wire {
  if (typeof value !== 'object' || value === null) return false;
  const { owner, event, ref } = value as Record<string, unknown>;
  const typeOf = (x: unknown) =>
    typeof x === 'object' && x !== null ? (x as { type?: unknown }).type : undefined;
  return (
    typeof owner === 'string' && (typeof typeOf(event) === 'string' || REF_TYPES.has(typeOf(ref)))
  );
}

/** Encodes an event for NOTIFY: whole when small enough, else its ids. */
export function encodeEvent(from: string, owner: string, event: ConversationEvent): string {
  const whole = JSON.stringify({ from, owner, event } satisfies Wire);
  const ref = Buffer.byteLength(whole) > INLINE_BYTES ? refOf(event) : undefined;
  return ref ? JSON.stringify({ from, owner, ref } satisfies Wire) : whole;
}

/** Reads back what a large event carried, as its owner sees it; undefined if gone since. */
async function readBack(db: Db, owner: string, ref: Ref): Promise<ConversationEvent | undefined> {
  if (ref.type === 'message_appended') {
    if (!(await selectOwned(db, ref.conversationId, owner))) return undefined;
    const message = await selectMessage(db, ref.conversationId, ref.id);
    return message && { type: 'message_appended', message: toMessageDto(message) };
  }
  const row = await selectOwned(db, ref.id, owner);
  return row && { type: ref.type, conversation: toConversationDto(row) };
}

/** Starts listening; resolves once LISTEN is in place (a first connection that fails rejects). */
export async function createPostgresEvents({
  db,
  url,
  logger,
}: PostgresEventsOptions): Promise<PostgresEvents> {
  const local = createInProcessEvents();
  const self = randomUUID();

  // Outgoing: sent in order, in batches, on the pool's connections.
  let outbox: string[] = [];
  let sending: Promise<void> | undefined;
  const send = async () => {
    while (outbox.length > 0) {
      const batch = outbox.splice(0, BATCH);
      const calls = batch.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ');
      try {
        await db.$executeRawUnsafe(`SELECT ${calls}`, EVENTS_CHANNEL, ...batch);
      } catch (error) {
        // PostgreSQL is unreachable: the other processes' listeners are cut off too, and they
        // tell their subscribers to resync when they reconnect.
        logger?.warn({ err: error, dropped: batch.length }, 'live-change notifications not sent');
      }
    }
  };

  // Incoming: delivered in the order notified, waiting for the read-backs of large events.
  let inbox: Wire[] = [];
  let receiving: Promise<void> | undefined;
  const receive = async () => {
    for (let wire = inbox.shift(); wire; wire = inbox.shift()) {
      if (local.subscribers(wire.owner) === 0) continue;
      if ('event' in wire) {
        local.publish(wire.owner, wire.event);
        continue;
      }
      try {
        const event = await readBack(db, wire.owner, wire.ref);
        if (event) local.publish(wire.owner, event);
      } catch (error) {
        logger?.warn({ err: error }, 'live change not read back: its subscribers resync');
        local.publish(wire.owner, { type: 'resync' });
      }
    }
  };

  /** Too much queued (a stalled database): one resync per owner says as much in less. */
  const collapse = (wires: Wire[]): Wire[] =>
    [...new Set(wires.map((w) => w.owner))].map((owner): Wire => ({
      from: self,
      owner,
      event: { type: 'resync' },
    }));

  const listener: NotificationListener = await listenForNotifications({
    url,
    channel: EVENTS_CHANNEL,
    applicationName: `parley-listen-${process.pid}`,
    onNotification(payload) {
      let wire: Wire;
      try {
        wire = JSON.parse(payload) as Wire;
      } catch {
        return; // not ours
      }
      if (!isWire(wire) || wire.from === self) return;
      inbox.push(wire);
      if (inbox.length > MAX_PENDING) inbox = collapse(inbox);
      receiving ??= receive().finally(() => (receiving = undefined));
    },
    onLost(error) {
      logger?.warn({ err: error }, 'live-change listener lost its connection: reconnecting');
    },
    onReconnected() {
      logger?.warn({}, 'live-change listener reconnected: subscribers resync');
      local.resyncAll();
    },
  });

  let closing: Promise<void> | undefined;
  return {
    publish(ownerId, event) {
      local.publish(ownerId, event);
      outbox.push(encodeEvent(self, ownerId, event));
      if (outbox.length > MAX_PENDING) {
        const owners = new Set(outbox.map((payload) => (JSON.parse(payload) as Wire).owner));
        outbox = [...owners].map((owner) => encodeEvent(self, owner, { type: 'resync' }));
      }
      sending ??= send().finally(() => (sending = undefined));
    },
    subscribe: (ownerId, signal) => local.subscribe(ownerId, signal),
    close() {
      local.close();
      closing ??= listener.close();
    },
    async settled() {
      await sending;
      await (closing ??= listener.close());
    },
  };
}
