import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import type { ConversationEvent } from '../deps/conversation-events.ts';
import type { TitleGenerator } from '../deps/title-generators.ts';

/** Generous: only a hung test waits this long. */
const WAIT = { timeout: 20_000, interval: 5 };

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

/** A caller with automatic titles off: these tests name conversations on request only. */
async function onRequestOnly() {
  const { key } = await h.user('acme', 'alice');
  return { caller: h.callerFor(`Bearer ${key}`, { autoTitles: false }) };
}

describe('conversation.generateTitle', () => {
  it('names the conversation from its first user message', async () => {
    const alice = await onRequestOnly();
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
    const caller = h.callerFor(`Bearer ${alice.key}`, { autoTitles: false });
    const c = await caller.conversation.create({});
    await caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'Plan a picnic',
    });
    const abort = new AbortController();
    const stream = h.events.subscribe(alice.userId, abort.signal)[Symbol.asyncIterator]();
    const next = stream.next();
    await caller.conversation.generateTitle({ id: c.id });
    const { value } = await next;
    abort.abort();
    expect(value).toEqual({
      type: 'renamed',
      conversation: expect.objectContaining({ id: c.id, title: 'Plan a picnic' }),
    });
  });
});

describe('automatic titles', () => {
  it('a user message names a conversation that still has its default title, announced live', async () => {
    const alice = await h.user('acme', 'alice');
    const abort = new AbortController();
    const received: ConversationEvent[] = [];
    const before = h.events.subscribers(alice.userId);
    const listening = (async () => {
      for await (const event of h.events.subscribe(alice.userId, abort.signal)) {
        received.push(event);
        if (event.type === 'renamed') return;
      }
    })();
    await vi.waitFor(() => expect(h.events.subscribers(alice.userId)).toBe(before + 1), WAIT);
    const c = await alice.caller.conversation.create({});
    const system = { conversationId: c.id, role: 'system' as const, content: 'Be brief.' };
    await alice.caller.message.append(system);
    await h.tasks.idle();
    // A system message names nothing.
    expect(await alice.caller.conversation.get({ id: c.id })).toMatchObject({
      titleSource: 'default',
      version: 1,
    });
    await alice.caller.message.append({
      conversationId: c.id,
      role: 'user',
      content: 'Best ramen in "Tokyo"?',
    });
    await h.tasks.idle();
    const named = await alice.caller.conversation.get({ id: c.id });
    expect(named).toMatchObject({
      title: 'Best ramen in Tokyo?',
      titleSource: 'generated',
      version: 2,
    });
    await listening;
    abort.abort();
    expect(received.map((event) => event.type)).toEqual([
      'created',
      'message_appended',
      'message_appended',
      'renamed',
    ]);
    expect(received.at(-1)).toEqual({ type: 'renamed', conversation: named });
  });

  it('never replaces a title a person set, nor one generated before', async () => {
    const alice = await h.user('acme', 'alice');
    const titled = await alice.caller.conversation.create({ title: 'Mine' });
    await alice.caller.message.append({ conversationId: titled.id, role: 'user', content: 'Hi' });
    const untitled = await alice.caller.conversation.create({});
    const first = { conversationId: untitled.id, role: 'user' as const, content: 'First' };
    await alice.caller.message.append(first);
    await h.tasks.idle();
    await alice.caller.message.append({ ...first, content: 'Second' });
    await h.tasks.idle();
    expect(await alice.caller.conversation.get({ id: titled.id })).toMatchObject({
      title: 'Mine',
      titleSource: 'user',
      version: 1,
    });
    expect(await alice.caller.conversation.get({ id: untitled.id })).toMatchObject({
      title: 'First',
      titleSource: 'generated',
      version: 2,
    });
  });

  it('a rename made while the title is being generated wins', async () => {
    const gate = gatedGenerator();
    const { key } = await h.user('acme', 'alice');
    const caller = h.callerFor(`Bearer ${key}`, { titleGenerator: gate.generator });
    const c = await caller.conversation.create({});
    await caller.message.append({ conversationId: c.id, role: 'user', content: 'Name me' });
    await gate.running;
    await caller.conversation.rename({ id: c.id, title: 'Chosen by a person' });
    gate.release('Generated name');
    await h.tasks.idle();
    expect(await caller.conversation.get({ id: c.id })).toMatchObject({
      title: 'Chosen by a person',
      titleSource: 'user',
      version: 2,
    });
  });

  it('a failing generator keeps the default title, and the failure is logged', async () => {
    const gate = gatedGenerator();
    const logged: unknown[] = [];
    const { key } = await h.user('acme', 'alice');
    const caller = h.callerFor(`Bearer ${key}`, {
      titleGenerator: gate.generator,
      logger: { warn: (details) => logged.push(details) },
    });
    const c = await caller.conversation.create({});
    await caller.message.append({ conversationId: c.id, role: 'user', content: 'hello' });
    await gate.running;
    gate.fail(new Error('upstream down'));
    await h.tasks.idle();
    expect(await caller.conversation.get({ id: c.id })).toMatchObject(untouched(c));
    expect(logged).toEqual([
      { conversationId: c.id, err: expect.objectContaining({ message: 'upstream down' }) },
    ]);
  });

  it('is off when the host turns it off', async () => {
    const alice = await onRequestOnly();
    const c = await alice.caller.conversation.create({});
    await alice.caller.message.append({ conversationId: c.id, role: 'user', content: 'Quiet' });
    await h.tasks.idle();
    expect(await alice.caller.conversation.get({ id: c.id })).toMatchObject(untouched(c));
  });
});

/** The fields a naming would change, as they were. */
const untouched = (c: { title: string; titleSource: string; version: number }) => ({
  title: c.title,
  titleSource: c.titleSource,
  version: c.version,
});
