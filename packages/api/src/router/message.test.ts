import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';

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
