/** Pin and archive through the router: the marks, the lists they shape, and who may set them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
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

const ids = (page: { items: { id: string }[] }) => page.items.map((c) => c.id);

describe('conversation.pin / unpin', () => {
  it('marks the time, counts the version, keeps the list order, and undoes', async () => {
    const c = await alice.caller.conversation.create({ title: 'To pin' });
    const pinned = await alice.caller.conversation.pin({ id: c.id, expectedVersion: 1 });
    expect(pinned).toMatchObject({ version: 2, updatedAt: c.updatedAt, archivedAt: null });
    expect(Date.parse(pinned.pinnedAt!)).toBeGreaterThanOrEqual(Date.parse(c.createdAt));
    expect(await alice.caller.conversation.get({ id: c.id })).toEqual(pinned);

    // Already pinned: nothing changes, not even the version.
    expect(await alice.caller.conversation.pin({ id: c.id })).toEqual(pinned);

    const unpinned = await alice.caller.conversation.unpin({ id: c.id });
    expect(unpinned).toMatchObject({ version: 3, pinnedAt: null });
    expect(await alice.caller.conversation.unpin({ id: c.id })).toEqual(unpinned);
  });

  it('lists pinned conversations alone, or the others alone', async () => {
    const user = await h.user('acme', 'pinlister');
    const [a, b, c] = [
      await user.caller.conversation.create({ title: 'a' }),
      await user.caller.conversation.create({ title: 'b' }),
      await user.caller.conversation.create({ title: 'c' }),
    ];
    await user.caller.conversation.pin({ id: a!.id });
    await user.caller.conversation.pin({ id: c!.id });
    expect(ids(await user.caller.conversation.list({ pinned: true }))).toEqual([c!.id, a!.id]);
    expect(ids(await user.caller.conversation.list({ pinned: false }))).toEqual([b!.id]);
    expect(ids(await user.caller.conversation.list())).toEqual([c!.id, b!.id, a!.id]);
  });
});

describe('conversation.archive / unarchive', () => {
  it('leaves the default list, stays readable and renamable, and comes back', async () => {
    const user = await h.user('acme', 'archivist');
    const kept = await user.caller.conversation.create({ title: 'kept' });
    const old = await user.caller.conversation.create({ title: 'old' });
    const archived = await user.caller.conversation.archive({ id: old.id });
    expect(archived).toMatchObject({ version: 2, pinnedAt: null });
    expect(archived.archivedAt).not.toBeNull();

    expect(ids(await user.caller.conversation.list())).toEqual([kept.id]);
    expect(ids(await user.caller.conversation.list({ archived: 'only' }))).toEqual([old.id]);
    expect(ids(await user.caller.conversation.list({ archived: 'include' }))).toEqual([
      old.id,
      kept.id,
    ]);

    expect(await user.caller.conversation.get({ id: old.id })).toEqual(archived);
    const renamed = await user.caller.conversation.rename({ id: old.id, title: 'old, renamed' });
    expect(renamed).toMatchObject({ version: 3, archivedAt: archived.archivedAt });

    const back = await user.caller.conversation.unarchive({ id: old.id, expectedVersion: 3 });
    expect(back).toMatchObject({ version: 4, archivedAt: null });
    expect(ids(await user.caller.conversation.list())).toEqual([old.id, kept.id]);
  });
});

describe('marks refused', () => {
  it('someone else’s or a malformed id is NOT_FOUND, a stale version CONFLICT; nothing changes', async () => {
    const bobs = await bob.caller.conversation.create({ title: 'Bob’s' });
    const mine = await alice.caller.conversation.create({ title: 'Mine' });
    const events: ConversationEvent[] = [];
    const listening = new AbortController();
    const drained = (async () => {
      for await (const event of h.events.subscribe(alice.userId, listening.signal))
        events.push(event);
    })();

    for (const mark of ['pin', 'unpin', 'archive', 'unarchive'] as const) {
      await expect(alice.caller.conversation[mark]({ id: bobs.id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(alice.caller.conversation[mark]({ id: 'nope' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    }
    await expect(
      alice.caller.conversation.pin({ id: mine.id, expectedVersion: 5 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      alice.caller.conversation.archive({ id: mine.id, expectedVersion: 0 }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    expect(await bob.caller.conversation.get({ id: bobs.id })).toEqual(bobs);
    expect(await alice.caller.conversation.get({ id: mine.id })).toEqual(mine);

    // The one change that goes through is the first event: nothing refused was announced.
    const pinned = await alice.caller.conversation.pin({ id: mine.id, expectedVersion: 1 });
    await expect.poll(() => events.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(events[0]).toEqual({ type: 'updated', conversation: pinned });
    listening.abort();
    await drained;
  });

  it('list filters refuse values they do not know', async () => {
    await expect(
      alice.caller.conversation.list({ archived: 'all' as never }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(alice.caller.conversation.list({ pinned: 'yes' as never })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});
