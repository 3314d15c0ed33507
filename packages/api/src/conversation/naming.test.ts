import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import type { TitleGenerator } from '../deps/title-generators.ts';

// A generator the test releases by hand, to rename in the middle of a generation.
function gatedGenerator() {
  let release: (title: string) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (started = resolve));
  const generator: TitleGenerator = {
    generate: () =>
      new Promise<string>((resolve, reject) => {
        release = resolve;
        fail = reject;
        started();
      }),
  };
  return { generator, running, release: (t: string) => release(t), fail: (e: Error) => fail(e) };
}

let h: Harness;
const warnings: unknown[] = [];

beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('conversation.generateTitle', () => {
  it('names the conversation from its first user message', async () => {
    const alice = await h.user('acme', 'alice');
    const c = await alice.caller.conversation.create({});
    await alice.caller.message.append({
      conversationId: c.id,
      role: 'system',
      content: 'You are terse.',
    });
    await alice.caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'Best ramen in "Tokyo"?',
    });
    await alice.caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'Second question',
    });
    const named = await alice.caller.conversation.generateTitle({ id: c.id });
    expect(named).toMatchObject({
      title: 'Best ramen in Tokyo?',
      titleSource: 'generated',
      version: 2,
    });
  });

  it('refuses a conversation without user messages (BAD_REQUEST), changing nothing', async () => {
    const alice = await h.user('acme', 'alice');
    const c = await alice.caller.conversation.create({ title: 'Empty' });
    await expect(alice.caller.conversation.generateTitle({ id: c.id })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await alice.caller.conversation.get({ id: c.id })).toEqual(c);
  });

  it("keeps a person's rename made while the title was being generated", async () => {
    const gate = gatedGenerator();
    const { key } = await h.user('acme', 'alice');
    const caller = h.callerFor(`Bearer ${key}`, { titleGenerator: gate.generator });
    const c = await caller.conversation.create({ title: 'Draft' });
    await caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'Something to name',
    });
    const generating = caller.conversation.generateTitle({ id: c.id });
    await gate.running;
    await caller.conversation.rename({ id: c.id, title: 'Chosen by a person' });
    gate.release('Generated name');
    await expect(generating).resolves.toMatchObject({
      title: 'Chosen by a person',
      titleSource: 'user',
      version: 2,
    });
  });

  it('keeps the old name and logs when the generator fails', async () => {
    const gate = gatedGenerator();
    const { key } = await h.user('acme', 'alice');
    const caller = h.callerFor(`Bearer ${key}`, {
      titleGenerator: gate.generator,
      logger: { warn: (details) => warnings.push(details) },
    });
    const c = await caller.conversation.create({ title: 'Old name' });
    await caller.message.append({ conversationId: c.id, role: 'user', content: 'hello' });
    const generating = caller.conversation.generateTitle({ id: c.id });
    await gate.running;
    gate.fail(new Error('upstream down'));
    await expect(generating).resolves.toMatchObject({ title: 'Old name', version: 1 });
    expect(warnings).toEqual([
      { conversationId: c.id, err: expect.objectContaining({ message: 'upstream down' }) },
    ]);
  });

  it("someone else's conversation is NOT_FOUND", async () => {
    const alice = await h.user('acme', 'alice');
    const bob = await h.user('acme', 'bob');
    const c = await alice.caller.conversation.create({});
    await alice.caller.message.append({ conversationId: c.id, role: 'user', content: 'mine' });
    await expect(bob.caller.conversation.generateTitle({ id: c.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('live updates', () => {
  it('a generated title is announced to the owner like any rename', async () => {
    const alice = await h.user('acme', 'alice');
    const c = await alice.caller.conversation.create({});
    await alice.caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'Plan a picnic',
    });
    const abort = new AbortController();
    const stream = h.events.subscribe(alice.userId, abort.signal)[Symbol.asyncIterator]();
    const next = stream.next();
    await alice.caller.conversation.generateTitle({ id: c.id });
    const { value } = await next;
    abort.abort();
    expect(value).toEqual({
      type: 'renamed',
      conversation: expect.objectContaining({ id: c.id, title: 'Plan a picnic' }),
    });
  });
});
