/** Metadata through tRPC: set at create, replaced whole, bounded by its limits, sent live. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import type { ConversationEvent } from '../deps/conversation-events.ts';
import { renderId } from '../rules/ids.ts';

let h: Harness;
let alice: Awaited<ReturnType<Harness['user']>>;
let bob: Awaited<ReturnType<Harness['user']>>;

beforeAll(async () => {
  h = await createHarness();
  alice = await h.user('acme', 'alice');
  bob = await h.user('acme', 'bob');
});
afterAll(() => h.close());

const snapshot = () => h.db.conversation.findMany({ orderBy: { id: 'asc' } });
const pairs = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));

/** The three ways past the limits, each by one. */
const overLimits: [string, Record<string, string>][] = [
  ['a 17th pair', pairs(17)],
  ['a 65-character key', { ['k'.repeat(65)]: 'v' }],
  ['a 513-character value', { k: 'v'.repeat(513) }],
];

describe('conversation metadata', () => {
  it('is {} by default, and kept as given at create', async () => {
    const plain = await alice.caller.conversation.create({});
    expect(plain.metadata).toEqual({});
    const tagged = await alice.caller.conversation.create({
      metadata: { project: 'p-42', 'tag:é': 'naïve ☕' },
    });
    expect(tagged.metadata).toEqual({ project: 'p-42', 'tag:é': 'naïve ☕' });
    expect((await alice.caller.conversation.get({ id: tagged.id })).metadata).toEqual(
      tagged.metadata,
    );
    const page = await alice.caller.conversation.list({ limit: 100 });
    expect(page.items.find((c) => c.id === tagged.id)?.metadata).toEqual(tagged.metadata);
  });

  it('accepts exactly the limits: 16 pairs, 64-character keys, 512-character values', async () => {
    const most = pairs(16);
    most['k0'] = 'v'.repeat(512);
    most['😀'.repeat(64)] = 'x'; // 64 code points (128 UTF-16 units)
    delete most['k15'];
    const c = await alice.caller.conversation.create({ metadata: most });
    expect(c.metadata).toEqual(most);
    const set = await alice.caller.conversation.setMetadata({ id: c.id, metadata: pairs(16) });
    expect(set.metadata).toEqual(pairs(16));
  });

  it.each(overLimits)('refuses %s at create and at set, storing nothing', async (_, metadata) => {
    const c = await alice.caller.conversation.create({ metadata: { keep: 'me' } });
    const before = await snapshot();
    await expect(alice.caller.conversation.create({ metadata })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(
      alice.caller.conversation.setMetadata({ id: c.id, metadata }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses values that are not strings', async () => {
    const before = await snapshot();
    for (const metadata of [{ n: 1 }, { n: null }, ['a'], 'a']) {
      await expect(
        // @ts-expect-error: what a client outside TypeScript may send
        alice.caller.conversation.create({ metadata }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('setMetadata replaces it whole, counts the version, and honours expectedVersion', async () => {
    const c = await alice.caller.conversation.create({ metadata: { a: '1', b: '2' } });
    const set = await alice.caller.conversation.setMetadata({
      id: renderId(c.id, 'orq'),
      metadata: { c: '3' },
      expectedVersion: 1,
    });
    expect(set).toMatchObject({ id: c.id, metadata: { c: '3' }, version: 2, title: c.title });
    await expect(
      alice.caller.conversation.setMetadata({ id: c.id, metadata: {}, expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await alice.caller.conversation.get({ id: c.id })).metadata).toEqual({ c: '3' });
    const cleared = await alice.caller.conversation.setMetadata({ id: c.id, metadata: {} });
    expect(cleared).toMatchObject({ metadata: {}, version: 3 });
  });

  it('someone else’s conversation is NOT_FOUND and keeps its metadata', async () => {
    const c = await alice.caller.conversation.create({ metadata: { a: '1' } });
    await expect(
      bob.caller.conversation.setMetadata({ id: c.id, metadata: { b: '2' } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await alice.caller.conversation.get({ id: c.id })).metadata).toEqual({ a: '1' });
  });

  it('a change is a live `updated` event carrying the metadata', async () => {
    const controller = new AbortController();
    const caller = h.callerFor(`Bearer ${alice.key}`, { signal: controller.signal });
    const iterator = (await caller.conversation.changes())[Symbol.asyncIterator]();
    const before = h.events.subscribers(alice.userId);
    const next = iterator.next();
    await vi.waitFor(() => expect(h.events.subscribers(alice.userId)).toBe(before + 1), {
      timeout: 20_000,
    });
    const c = await alice.caller.conversation.create({ metadata: { a: '1' } });
    expect((await next).value).toEqual({ type: 'created', conversation: c });
    const set = await alice.caller.conversation.setMetadata({ id: c.id, metadata: { b: '2' } });
    const event = (await iterator.next()).value as ConversationEvent;
    expect(event).toEqual({ type: 'updated', conversation: set });
    expect(set.metadata).toEqual({ b: '2' });
    controller.abort();
  });
});

describe('messages in batches, and deleted', () => {
  it('create with messages stores them in order, counted', async () => {
    const { conversation, messages } = await alice.caller.conversation.createWithMessages({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(conversation).toMatchObject({ messageCount: 2, titleSource: 'default' });
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', 'Hi'],
    ]);
    const page = await alice.caller.message.list({ conversationId: conversation.id });
    expect(page.items).toEqual(messages);
  });

  it('a batch with one bad message stores none of them', async () => {
    const c = await alice.caller.conversation.create({});
    const before = await snapshot();
    await expect(
      alice.caller.message.appendMany({
        conversationId: c.id,
        messages: [
          { role: 'user', content: 'fine' },
          { role: 'user', content: '' },
        ],
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      alice.caller.message.appendMany({
        conversationId: c.id,
        messages: Array.from({ length: 21 }, () => ({ role: 'user' as const, content: 'x' })),
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await snapshot()).toEqual(before);
    expect((await alice.caller.message.list({ conversationId: c.id })).items).toEqual([]);
  });

  it('delete takes the message off the count and the last message time', async () => {
    const c = await alice.caller.conversation.create({ title: 'Kept' });
    const [first, second] = await alice.caller.message.appendMany({
      conversationId: c.id,
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'two' },
      ],
    });
    const after = await alice.caller.message.delete({ conversationId: c.id, id: second!.id });
    expect(after).toMatchObject({ id: c.id, messageCount: 1, version: 1 });
    expect(after.lastMessageAt).toBe(first!.createdAt);
    await expect(
      alice.caller.message.delete({ conversationId: c.id, id: second!.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      bob.caller.message.delete({ conversationId: c.id, id: first!.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const last = await alice.caller.message.delete({ conversationId: c.id, id: first!.id });
    expect(last).toMatchObject({ messageCount: 0, lastMessageAt: null });
  });
});
