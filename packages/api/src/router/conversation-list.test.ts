import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';

let h: Harness;
let alice: Awaited<ReturnType<Harness['user']>>;

beforeAll(async () => {
  h = await createHarness();
  alice = await h.user('acme', 'alice');
  const bob = await h.user('acme', 'bob');
  await bob.caller.conversation.create({ title: "bob's" }); // never in alice's pages
});
afterAll(() => h.close());

type Listed = Awaited<ReturnType<typeof alice.caller.conversation.list>>['items'][number];

/** Every conversation served by walking the pages, as each was when it was served. */
async function allPages(limit: number, between?: (page: number) => Promise<void>) {
  const seen: Listed[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const result: Awaited<ReturnType<typeof alice.caller.conversation.list>> =
      await alice.caller.conversation.list({ limit, cursor });
    expect(result.items.length).toBeLessThanOrEqual(limit);
    seen.push(...result.items);
    if (!result.nextCursor) return seen;
    cursor = result.nextCursor;
    await between?.(page);
  }
  throw new Error('paging did not end');
}

describe('conversation.list', () => {
  // Shared by the tests below, in order (each may move some of them to the front).
  const created: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 23; i++)
      created.push((await alice.caller.conversation.create({ title: `c${i}` })).id);
  });

  it('pages newest updated first, every row once', async () => {
    const seen = (await allPages(5)).map((c) => c.id);
    expect(seen).toEqual([...created].reverse());
    const first = await alice.caller.conversation.list();
    expect(first.items).toHaveLength(20); // default page size
  });

  it('a renamed conversation moves to the front', async () => {
    await alice.caller.conversation.rename({ id: created[3]!, title: 'bumped' });
    const { items } = await alice.caller.conversation.list({ limit: 1 });
    expect(items[0]?.id).toBe(created[3]);
  });

  it('no duplicates and no gaps while rows are renamed between pages', async () => {
    const renamed = new Set<string>();
    const served = await allPages(4, async (page) => {
      // Rename one row already served and one not yet served: both jump to the front.
      const target = created[(page * 7) % created.length]!;
      renamed.add(target);
      await alice.caller.conversation.rename({ id: target, title: `renamed on page ${page}` });
    });
    const seen = served.map((c) => c.id);
    expect(new Set(seen).size).toBe(seen.length); // no duplicates
    // No gaps: every row that was not moved meanwhile is served exactly once.
    for (const id of created) if (!renamed.has(id)) expect(seen).toContain(id);
    // Keyset order: what was served, as it was at serving time, goes strictly down by
    // (updatedAt, id) across all pages, which is why a row renamed meanwhile cannot come again.
    const keys = served.map((c) => `${c.updatedAt} ${c.id}`);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(alice.caller.conversation.list({ cursor: 'garbage' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(alice.caller.conversation.list({ limit: 0 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(alice.caller.conversation.list({ limit: 101 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('an empty list has no cursor', async () => {
    const dora = await h.user('acme', 'dora');
    await expect(dora.caller.conversation.list()).resolves.toEqual({
      items: [],
      hasMore: false,
      nextCursor: null,
    });
  });

  it('pages after and before a conversation id, in list order', async () => {
    const order = (await alice.caller.conversation.list({ limit: 100 })).items.map((c) => c.id);
    const after = await alice.caller.conversation.list({ after: order[4]!, limit: 3 });
    expect(after.items.map((c) => c.id)).toEqual(order.slice(5, 8));
    expect(after.hasMore).toBe(true);
    const before = await alice.caller.conversation.list({ before: order[4]!, limit: 3 });
    expect(before.items.map((c) => c.id)).toEqual(order.slice(1, 4));
    expect(before.hasMore).toBe(true);
    const first = await alice.caller.conversation.list({ before: order[2]!, limit: 3 });
    expect(first.items.map((c) => c.id)).toEqual(order.slice(0, 2));
    expect(first.hasMore).toBe(false);
    const tail = await alice.caller.conversation.list({ after: order.at(-2)!, limit: 3 });
    expect(tail).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it("an anchor that is unknown or someone else's is NOT_FOUND", async () => {
    const bobs = await h.user('acme', 'bob');
    const foreign = (await bobs.caller.conversation.list()).items[0]!.id;
    await expect(alice.caller.conversation.list({ after: foreign })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(alice.caller.conversation.list({ before: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('sorts by creation or update, either way, with cursors bound to their sort', async () => {
    const byCreated = await alice.caller.conversation.list({ sort: 'createdAt', limit: 100 });
    expect(byCreated.items.map((c) => c.id)).toEqual(
      created.filter((id) => byCreated.items.some((c) => c.id === id)),
    );
    const ids = byCreated.items.map((c) => c.id);
    expect([...ids].sort()).toEqual(ids); // ULIDs sort by creation time
    const newestCreated = await alice.caller.conversation.list({ sort: '-createdAt', limit: 5 });
    expect(newestCreated.items.map((c) => c.id)).toEqual([...ids].reverse().slice(0, 5));
    const oldestUpdated = await alice.caller.conversation.list({ sort: 'updatedAt', limit: 100 });
    const times = oldestUpdated.items.map((c) => Date.parse(c.updatedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // Walk -createdAt by cursor: every row once.
    const walked: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page: Awaited<ReturnType<typeof alice.caller.conversation.list>> =
        await alice.caller.conversation.list({
          sort: '-createdAt',
          limit: 6,
          cursor,
        });
      walked.push(...page.items.map((c) => c.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(walked).toEqual([...ids].reverse());
    await expect(
      alice.caller.conversation.list({ sort: '-updatedAt', cursor: newestCreated.nextCursor }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('pages through rows that share one timestamp by id, both ways, every row once', async () => {
    const tied = await h.user('acme', 'tie');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push((await tied.caller.conversation.create({ title: `t${i}` })).id);
    const at = new Date('2026-01-02T03:04:05.678Z');
    await h.db.conversation.updateMany({
      where: { userId: tied.userId },
      data: { updatedAt: at, createdAt: at },
    });
    for (const sort of ['-updatedAt', 'updatedAt', '-createdAt', 'createdAt'] as const) {
      const walked: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page: Awaited<ReturnType<typeof tied.caller.conversation.list>> =
          await tied.caller.conversation.list({ sort, limit: 2, cursor });
        walked.push(...page.items.map((c) => c.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const byId = [...ids].sort();
      expect(walked, sort).toEqual(sort.startsWith('-') ? byId.reverse() : byId);
    }
    const middle = [...ids].sort()[3]!;
    const before = await tied.caller.conversation.list({ before: middle, limit: 2 });
    expect(before.items.map((c) => c.id)).toEqual([...ids].sort().reverse().slice(1, 3));
  });
});
