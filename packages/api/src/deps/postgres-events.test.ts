/**
 * The LISTEN/NOTIFY bus on a real PostgreSQL (PostgreSQL only): two buses on one database stand
 * for two processes, each with its own listening connection. What one publishes reaches the
 * other's subscribers of the same owner only, large events by their ids; a lost listening
 * connection comes back by itself and its subscribers are told to resync.
 */
import { createPostgresTestDatabase } from '@parley/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/accounts.ts';
import { createCaller } from '../root.ts';
import { createTRPCContext } from '../trpc.ts';
import { createApiDeps } from './api-deps.ts';
import type { ConversationEvent } from './conversation-events.ts';
import {
  createPostgresEvents,
  encodeEvent,
  EVENTS_CHANNEL,
  INLINE_BYTES,
  type PostgresEvents,
} from './postgres-events.ts';

/** Only stops a hung test. */
const BOUND_MS = 20_000;

let database: Awaited<ReturnType<typeof createPostgresTestDatabase>>;
let a: PostgresEvents;
let b: PostgresEvents;
let callerOf: (key: string) => ReturnType<typeof createCaller>;

beforeAll(async () => {
  database = await createPostgresTestDatabase();
  a = await createPostgresEvents({ db: database.db, url: database.url });
  b = await createPostgresEvents({ db: database.db, url: database.url });
  // Writes go through process A's router.
  const deps = createApiDeps({ db: database.db, events: a });
  callerOf = (key) => createCaller(createTRPCContext(deps, { authorization: `Bearer ${key}` }));
});
afterAll(async () => {
  for (const bus of [a, b]) {
    bus?.close();
    await bus?.settled();
  }
  await database?.close();
});

/**
 * A user of its own for each test: a notification of an earlier test still on its way cannot
 * reach this one's subscribers.
 */
async function newUser(name: string) {
  const made = await createApiKey(database.db, 'acme', name);
  return { caller: callerOf(made.key), userId: made.user.id };
}

/** A subscription whose events can be awaited one at a time, within a bound. */
function listen(bus: PostgresEvents, ownerId: string) {
  const controller = new AbortController();
  const iterator = bus.subscribe(ownerId, controller.signal)[Symbol.asyncIterator]();
  let pending = iterator.next();
  return {
    async next(): Promise<ConversationEvent> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no event')), BOUND_MS);
      });
      const result = await Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
      pending = iterator.next();
      if (result.done) throw new Error('subscription ended');
      return result.value;
    },
    close: () => controller.abort(),
  };
}

/** Lets a just-made subscription register (the generator starts on its first pull). */
const registered = () => new Promise((resolve) => setImmediate(resolve));

describe('conversation events over LISTEN/NOTIFY', () => {
  it('a rename published by one process reaches the owner’s subscriber on the other, once', async () => {
    const alice = await newUser('alice');
    const onB = listen(b, alice.userId);
    const onA = listen(a, alice.userId);
    await registered();
    const c = await alice.caller.conversation.create({ title: 'Across' });
    expect(await onB.next()).toEqual({ type: 'created', conversation: c });
    const renamed = await alice.caller.conversation.rename({ id: c.id, title: 'Renamed' });
    expect(await onB.next()).toEqual({ type: 'renamed', conversation: renamed });
    // Process A delivered both itself, and did not take its own notifications for new ones.
    expect(await onA.next()).toEqual({ type: 'created', conversation: c });
    expect(await onA.next()).toEqual({ type: 'renamed', conversation: renamed });
    const marker = await alice.caller.conversation.create({ title: 'marker' });
    expect(await onA.next()).toEqual({ type: 'created', conversation: marker });
    onA.close();
    onB.close();
  });

  it('reaches only the owner: another user’s subscriber on the other process gets none of it', async () => {
    const alice = await newUser('carol');
    const bob = await newUser('bob');
    const bobsOnB = listen(b, bob.userId);
    const alicesOnB = listen(b, alice.userId);
    await registered();
    const hers = await alice.caller.conversation.create({ title: 'hers' });
    expect(await alicesOnB.next()).toEqual({ type: 'created', conversation: hers });
    const his = await bob.caller.conversation.create({ title: 'his' });
    // Bob's first event is his own create, after Alice's was delivered on the same process.
    expect(await bobsOnB.next()).toEqual({ type: 'created', conversation: his });
    bobsOnB.close();
    alicesOnB.close();
  });

  it('sends a 32,000-character message and 9 KB of metadata as ids, read back whole', async () => {
    const alice = await newUser('dave');
    const onB = listen(b, alice.userId);
    await registered();
    const c = await alice.caller.conversation.create({ title: 'Large' });
    expect(await onB.next()).toMatchObject({ type: 'created' });
    const message = await alice.caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'é'.repeat(32_000),
    });
    const appended = { type: 'message_appended', message } as const;
    // The whole event is far over the limit; what is sent is far under it.
    expect(Buffer.byteLength(JSON.stringify(appended))).toBeGreaterThan(8_000);
    expect(Buffer.byteLength(encodeEvent('x', alice.userId, appended))).toBeLessThan(INLINE_BYTES);
    expect(await onB.next()).toEqual(appended);

    const metadata = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [
        `${'k'.repeat(62)}${String(i).padStart(2, '0')}`,
        'v'.repeat(512),
      ]),
    );
    const updated = await alice.caller.conversation.setMetadata({ id: c.id, metadata });
    const event = { type: 'updated', conversation: updated } as const;
    expect(Buffer.byteLength(JSON.stringify(event))).toBeGreaterThan(9_000);
    expect(Buffer.byteLength(encodeEvent('x', alice.userId, event))).toBeLessThan(INLINE_BYTES);
    expect(await onB.next()).toEqual(event);
    onB.close();
  });

  it('a lost listening connection comes back by itself; its subscribers get resync, then events again', async () => {
    const alice = await newUser('erin');
    const onB = listen(b, alice.userId);
    await registered();
    // Both buses' listeners (this process's pid in their names); the pool's connections stay.
    const listeners = await database.db.$queryRawUnsafe<{ pid: number }[]>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
      `parley-listen-${process.pid}`,
    );
    expect(listeners).toHaveLength(2);
    for (const { pid } of listeners) {
      await database.db.$queryRawUnsafe(`SELECT pg_terminate_backend($1)::text AS done`, pid);
    }
    expect(await onB.next()).toEqual({ type: 'resync' });
    const c = await alice.caller.conversation.create({ title: 'After the loss' });
    expect(await onB.next()).toEqual({ type: 'created', conversation: c });
    onB.close();
  });

  it('ignores what it cannot read on the channel (anyone may NOTIFY there)', async () => {
    const alice = await newUser('frank');
    const onB = listen(b, alice.userId);
    await registered();
    const c = await alice.caller.conversation.create({ title: 'Noise' });
    expect(await onB.next()).toMatchObject({ type: 'created' });
    for (const noise of [
      'not json',
      JSON.stringify({ from: 'x', owner: alice.userId }),
      JSON.stringify({ from: 'x', owner: alice.userId, ref: { type: 'deleted', id: c.id } }),
    ]) {
      await database.db.$executeRawUnsafe(`SELECT pg_notify($1, $2)`, EVENTS_CHANNEL, noise);
    }
    const renamed = await alice.caller.conversation.rename({ id: c.id, title: 'Still here' });
    expect(await onB.next()).toEqual({ type: 'renamed', conversation: renamed });
    onB.close();
  });
});
