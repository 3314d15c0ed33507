import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { renderId } from '../rules/ids.ts';

let h: Harness;
let alice: Awaited<ReturnType<Harness['user']>>;

beforeAll(async () => {
  h = await createHarness();
  alice = await h.user('acme', 'alice');
});
afterAll(() => h.close());

describe('messages', () => {
  it('append keeps the count and last-message time, without changing the version', async () => {
    // Titled, so no automatic title changes the version meanwhile (naming.test.ts covers that).
    const c = await alice.caller.conversation.create({ title: 'Counted' });
    const m1 = await alice.caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'Hello',
    });
    const m2 = await alice.caller.message.append({
      conversationId: c.id,
      role: 'assistant',
      content: 'Hi! 👋',
    });
    expect(m1).toMatchObject({ conversationId: c.id, role: 'user', content: 'Hello' });
    const after = await alice.caller.conversation.get({ id: c.id });
    expect(after).toMatchObject({ messageCount: 2, lastMessageAt: m2.createdAt, version: 1 });
    expect(after.updatedAt).toBe(m2.createdAt);
  });

  it('lists oldest first, by pages', async () => {
    const c = await alice.caller.conversation.create({});
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) {
      sent.push(
        (
          await alice.caller.message.append({
            conversationId: c.id,
            role: 'user',
            content: `m${i}`,
          })
        ).id,
      );
    }
    const first = await alice.caller.message.list({ conversationId: c.id, limit: 4 });
    const second = await alice.caller.message.list({
      conversationId: c.id,
      limit: 4,
      cursor: first.nextCursor,
    });
    expect([...first.items, ...second.items].map((m) => m.id)).toEqual(sent);
    expect(second.nextCursor).toBeNull();
  });

  it('lists newest first with order desc, each page older than the cursor, without a gap or a repeat', async () => {
    const c = await alice.caller.conversation.create({});
    const sent: string[] = [];
    for (let i = 0; i < 9; i++) {
      const role = i % 3 === 0 ? 'user' : 'assistant';
      sent.push(
        (await alice.caller.message.append({ conversationId: c.id, role, content: `m${i}` })).id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: Awaited<ReturnType<typeof alice.caller.message.list>> =
        await alice.caller.message.list({ conversationId: c.id, limit: 4, cursor, order: 'desc' });
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...sent].reverse());
    // From a message's id as the cursor: the ones before it, newest first.
    const before = await alice.caller.message.list({
      conversationId: c.id,
      cursor: sent[4],
      order: 'desc',
    });
    expect(before.items.map((m) => m.content)).toEqual(['m3', 'm2', 'm1', 'm0']);
    expect(before.nextCursor).toBeNull();
  });

  it('gets one message by id, in any rendering; NOT_FOUND for any other message', async () => {
    const c = await alice.caller.conversation.create({});
    const other = await alice.caller.conversation.create({});
    const m = await alice.caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'x',
    });
    const elsewhere = await alice.caller.message.append({
      conversationId: other.id,
      role: 'user',
      content: 'y',
    });
    expect(await alice.caller.message.get({ conversationId: c.id, id: m.id })).toEqual(m);
    expect(
      await alice.caller.message.get({
        conversationId: renderId(c.id, 'uuid'),
        id: renderId(m.id, 'uuid'),
      }),
    ).toEqual(m);
    for (const id of [elsewhere.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'not-an-id']) {
      await expect(alice.caller.message.get({ conversationId: c.id, id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: 'Message not found.',
      });
    }
    const bob = await h.user('acme', 'bob-get');
    await expect(bob.caller.message.get({ conversationId: c.id, id: m.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Conversation not found.',
    });
  });

  it('refuses bad input and foreign conversations, storing nothing', async () => {
    const c = await alice.caller.conversation.create({});
    const bob = await h.user('acme', 'bob');
    const bad = [
      { conversationId: c.id, role: 'wizard', content: 'x' },
      { conversationId: c.id, role: 'user', content: '' },
      { conversationId: c.id, role: 'user', content: 'x'.repeat(32_001) },
    ];
    for (const input of bad) {
      // @ts-expect-error deliberately wrong input
      await expect(alice.caller.message.append(input)).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
    }
    await expect(
      bob.caller.message.append({ conversationId: c.id, role: 'user', content: 'x' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(bob.caller.message.list({ conversationId: c.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await h.db.message.count({ where: { conversationId: c.id } })).toBe(0);
    expect((await alice.caller.conversation.get({ id: c.id })).messageCount).toBe(0);
  });
});
