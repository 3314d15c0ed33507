/** The live-change subscription, through the same caller the REST faces use. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { revokeApiKey } from '../auth/accounts.ts';
import { createAuthenticator, type Authenticate } from '../auth/authenticator.ts';
import type { ConversationEvent } from '../deps/conversation-events.ts';

let h: Harness;
let alice: Awaited<ReturnType<Harness['user']>>;
let bob: Awaited<ReturnType<Harness['user']>>; // same organization, another user

beforeAll(async () => {
  h = await createHarness();
  alice = await h.user('acme', 'alice');
  bob = await h.user('acme', 'bob');
});
afterAll(() => h.close());

/** How long to wait for something to happen: generous, so only a hung test reaches it. */
const WAIT = { timeout: 20_000, interval: 5 };

/**
 * Subscribes as `who` and resolves once the subscription is registered on the bus; through the
 * harness's authenticator, or through `authenticate` (e.g. one that re-checks streams quickly).
 */
async function subscribe(who: Pick<typeof alice, 'key' | 'userId'>, authenticate?: Authenticate) {
  const controller = new AbortController();
  // As over HTTP, where the request's end aborts the signal, the signal ends the subscription.
  const authorization = `Bearer ${who.key}`;
  const caller = h.callerFor(authorization, {
    signal: controller.signal,
    ...(authenticate && { authenticate }),
  });
  const stream = await caller.conversation.changes();
  const iterator = stream[Symbol.asyncIterator]();
  const received: ConversationEvent[] = [];
  const before = h.events.subscribers(who.userId);
  // The generator starts on the first pull; keep one pull pending at all times.
  let pending = iterator.next();
  await vi.waitFor(() => expect(h.events.subscribers(who.userId)).toBe(before + 1), WAIT);
  return {
    /** The next event; the bound only turns a missing event into a failure instead of a hang. */
    async next(): Promise<ConversationEvent> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no event')), WAIT.timeout);
      });
      const result = await Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
      pending = iterator.next();
      if (result.done) throw new Error('subscription ended');
      received.push(result.value);
      return result.value;
    },
    close: () => controller.abort(),
  };
}

describe('conversation.changes', () => {
  it('streams the owner’s create, rename, message and delete, in order', async () => {
    const sub = await subscribe(alice);
    const c = await alice.caller.conversation.create({ title: 'Live' });
    expect(await sub.next()).toEqual({ type: 'created', conversation: c });

    const renamed = await alice.caller.conversation.rename({
      id: c.id,
      title: 'Live, renamed',
      expectedVersion: 1,
    });
    expect(await sub.next()).toEqual({ type: 'renamed', conversation: renamed });

    const message = await alice.caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'hello',
    });
    expect(await sub.next()).toEqual({ type: 'message_appended', message });

    await alice.caller.conversation.delete({ id: c.id });
    expect(await sub.next()).toEqual({ type: 'deleted', id: c.id });
    sub.close();
  });

  it('never delivers another user’s changes, nor refused writes', async () => {
    const sub = await subscribe(alice);
    const bobs = await bob.caller.conversation.create({ title: 'Bob only' });
    await bob.caller.conversation.rename({ id: bobs.id, title: 'Still Bob only' });
    const mine = await alice.caller.conversation.create({ title: 'Mine' });
    // Refused: stale version, someone else's id, an invalid title. None may produce an event.
    await expect(
      alice.caller.conversation.rename({ id: mine.id, title: 'x', expectedVersion: 7 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      alice.caller.conversation.rename({ id: bobs.id, title: 'Hijack' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      alice.caller.conversation.rename({ id: mine.id, title: ' ' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const last = await alice.caller.conversation.create({ title: 'Last' });
    // Had anything leaked or been refused-yet-announced, it would come before these two.
    expect(await sub.next()).toEqual({ type: 'created', conversation: mine });
    expect(await sub.next()).toEqual({ type: 'created', conversation: last });
    sub.close();
  });

  it('fans out to every subscription of the owner, and ends when aborted', async () => {
    const first = await subscribe(alice);
    const second = await subscribe(alice);
    const c = await alice.caller.conversation.create({});
    expect(await first.next()).toMatchObject({ type: 'created', conversation: { id: c.id } });
    expect(await second.next()).toMatchObject({ type: 'created', conversation: { id: c.id } });
    first.close();
    second.close();
    await vi.waitFor(() => expect(h.events.subscribers(alice.userId)).toBe(0), WAIT);
  });

  it('a replayed idempotent create announces nothing new', async () => {
    await alice.caller.conversation.create({ idempotencyKey: 'live-1' });
    const sub = await subscribe(alice);
    await alice.caller.conversation.create({ idempotencyKey: 'live-1' });
    const fresh = await alice.caller.conversation.create({ title: 'Fresh' });
    expect(await sub.next()).toMatchObject({ conversation: { id: fresh.id } });
    sub.close();
  });

  it('ends with UNAUTHORIZED once its key is revoked; other keys’ streams go on', async () => {
    // Streams are verified again every 20 ms here (5 s by default), bypassing the 10 s cache.
    const authenticate = createAuthenticator(h.db, {}, { recheckMs: 20 });
    const carol = await h.user('acme', 'carol');
    const revoked = await subscribe(carol, authenticate);
    const kept = await subscribe(bob, authenticate);
    const carolsKey = await h.db.apiKey.findFirstOrThrow({ where: { userId: carol.userId } });
    expect(await revokeApiKey(h.db, carolsKey.id)).toBe(true);
    await expect(revoked.next()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    // Nothing of carol's is left on the bus, and bob's stream still delivers.
    await vi.waitFor(() => expect(h.events.subscribers(carol.userId)).toBe(0), WAIT);
    const c = await bob.caller.conversation.create({ title: 'Still live' });
    expect(await kept.next()).toMatchObject({ type: 'created', conversation: { id: c.id } });
    kept.close();
  });

  it('is UNAUTHORIZED without credentials', async () => {
    await expect(h.callerFor(undefined).conversation.changes()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});
