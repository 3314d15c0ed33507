/**
 * conversation.export and conversation.import through the router, on a real database: Parley's
 * own format both ways, ChatGPT's export flattened along its current branch, the report, imports
 * that are idempotent, and bad files refused with where they broke and nothing written.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { renderId } from '../rules/ids.ts';
import { INLINE_IMPORT_MAX_BYTES } from '../rules/portability-schemas.ts';

const CHATGPT = readFileSync(
  path.join(import.meta.dirname, '../../testing/fixtures/chatgpt-conversations.json'),
  'utf8',
);

let h: Harness;
let alice: Awaited<ReturnType<Harness['user']>>;
let bob: Awaited<ReturnType<Harness['user']>>; // same organization
let eve: Awaited<ReturnType<Harness['user']>>; // another organization
let chatId: string;

beforeAll(async () => {
  h = await createHarness();
  alice = await h.user('acme', 'alice');
  bob = await h.user('acme', 'bob');
  eve = await h.user('evil', 'eve');
  const c = await alice.caller.conversation.create({
    title: 'Lisbon, May 🇵🇹',
    model: 'gpt-4o',
    timezone: 'Europe/Lisbon',
  });
  chatId = c.id;
  await alice.caller.message.append({
    conversationId: chatId,
    role: 'system',
    content: 'Be brief.',
  });
  await alice.caller.message.append({ conversationId: chatId, role: 'user', content: 'Hi 👋' });
  await alice.caller.message.append({
    conversationId: chatId,
    role: 'assistant',
    content: 'Hello!\n\n```js\nconsole.log(1)\n```',
  });
});
afterAll(() => h.close());

/** Every stored row, to prove that a refused request changed nothing. */
const snapshot = async () => ({
  conversations: await h.db.conversation.findMany({ orderBy: { id: 'asc' } }),
  messages: await h.db.message.findMany({ orderBy: { id: 'asc' } }),
});

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe('conversation.export', () => {
  it("exports Parley's JSON document: format, version, fields, messages in order", async () => {
    const file = await alice.caller.conversation.export({ id: chatId });
    expect(file.filename).toBe(`parley-${chatId}.json`);
    expect(file.contentType).toBe('application/json');
    const doc = JSON.parse(file.content);
    expect(doc).toMatchObject({
      format: 'parley.conversation',
      version: 1,
      id: chatId,
      title: 'Lisbon, May 🇵🇹',
      titleSource: 'user',
      model: 'gpt-4o',
      timezone: 'Europe/Lisbon',
      userDisplay: null,
      messageCount: 3,
    });
    expect(doc.messages.map((m: { role: string }) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
    ]);
    expect(doc.messages[2].content).toBe('Hello!\n\n```js\nconsole.log(1)\n```');
    expect(Object.keys(doc).at(-1)).toBe('messages');
  });

  it('exports Markdown: the title, then each message under who said it', async () => {
    const file = await alice.caller.conversation.export({
      id: renderId(chatId, 'uuid'),
      format: 'markdown',
    });
    expect(file.filename).toBe(`parley-${chatId}.md`);
    expect(file.content.startsWith('# Lisbon, May 🇵🇹\n')).toBe(true);
    expect(file.content).toMatch(/## User · \S+\n\nHi 👋\n/);
    expect(file.content.indexOf('## System')).toBeLessThan(file.content.indexOf('## Assistant'));
  });

  it.each([
    ['another user of the organization', () => bob],
    ['another organization', () => eve],
  ])('is NOT_FOUND for %s', async (_who, caller) => {
    for (const format of ['json', 'markdown'] as const) {
      const error = await refusal(caller().caller.conversation.export({ id: chatId, format }));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).not.toMatch(/Lisbon/);
    }
  });

  it('is NOT_FOUND for unknown and malformed ids', async () => {
    for (const id of ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'nope', '', '../etc']) {
      const error = await refusal(alice.caller.conversation.export({ id }));
      expect(error.code).toBe('NOT_FOUND');
    }
  });
});

describe('conversation.import of Parley exports', () => {
  it('imports an export into another account whole, keeping times, and only once', async () => {
    const file = await alice.caller.conversation.export({ id: chatId });
    const report = await bob.caller.conversation.import({ content: file.content });
    expect(report).toMatchObject({ format: 'parley', imported: 1, skippedCount: 0 });
    const [entry] = report.conversations;
    expect(entry).toMatchObject({ index: 0, sourceId: chatId, messages: 3 });

    const original = await alice.caller.conversation.get({ id: chatId });
    const copy = await bob.caller.conversation.get({ id: entry!.id });
    expect(copy.id).not.toBe(chatId);
    expect(copy).toMatchObject({
      title: original.title,
      titleSource: 'user',
      model: 'gpt-4o',
      timezone: 'Europe/Lisbon',
      messageCount: 3,
      createdAt: original.createdAt,
      lastMessageAt: original.lastMessageAt,
      userId: bob.userId,
      version: 1,
    });
    const theirs = await bob.caller.message.list({ conversationId: copy.id });
    const mine = await alice.caller.message.list({ conversationId: chatId });
    const strip = (items: typeof mine.items) =>
      items.map(({ role, content, createdAt }) => ({ role, content, createdAt }));
    expect(strip(theirs.items)).toEqual(strip(mine.items));

    const before = await snapshot();
    const again = await bob.caller.conversation.import({ content: file.content });
    expect(again).toMatchObject({ imported: 0, skippedCount: 1 });
    expect(again.skipped).toEqual([
      { index: 0, sourceId: chatId, reason: 'already imported', id: copy.id },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('keeps metadata, pin and archive through an export and an import', async () => {
    const c = await alice.caller.conversation.create({
      title: 'Kept whole',
      metadata: { project: 'p-7', tag: 'travel' },
    });
    await alice.caller.conversation.pin({ id: c.id });
    const marked = await alice.caller.conversation.archive({ id: c.id });
    const file = await alice.caller.conversation.export({ id: c.id });
    expect(JSON.parse(file.content)).toMatchObject({
      metadata: { project: 'p-7', tag: 'travel' },
      pinnedAt: marked.pinnedAt,
      archivedAt: marked.archivedAt,
    });
    const carol = await h.user('acme', 'carol-kept');
    const report = await carol.caller.conversation.import({ content: file.content });
    const copy = await carol.caller.conversation.get({ id: report.conversations[0]!.id });
    expect(copy).toMatchObject({
      metadata: { project: 'p-7', tag: 'travel' },
      pinnedAt: marked.pinnedAt,
      archivedAt: marked.archivedAt,
    });
    // An export made before these fields existed (same version) reads back without them.
    const { metadata, pinnedAt, archivedAt, ...older } = JSON.parse(file.content);
    expect([metadata, pinnedAt, archivedAt]).not.toContain(undefined);
    const dave = await h.user('acme', 'dave-kept');
    const fromOlder = await dave.caller.conversation.import({ content: JSON.stringify(older) });
    const plain = await dave.caller.conversation.get({ id: fromOlder.conversations[0]!.id });
    expect(plain).toMatchObject({ metadata: {}, pinnedAt: null, archivedAt: null });
  });

  it('says "already in your conversations" when read back into the account it came from', async () => {
    const file = await alice.caller.conversation.export({ id: chatId });
    const report = await alice.caller.conversation.import({ content: file.content });
    expect(report.imported).toBe(0);
    expect(report.skipped).toEqual([
      { index: 0, sourceId: chatId, reason: 'already in your conversations', id: chatId },
    ]);
  });

  it('skips a conversation that breaks a rule, whole, and imports the others', async () => {
    const doc = JSON.parse((await alice.caller.conversation.export({ id: chatId })).content);
    const bad = {
      ...doc,
      id: '01KAP3M1N5Z0S0C0Q7T3WX4B9E',
      messages: [...doc.messages, { role: 'robot', content: 'beep', createdAt: doc.createdAt }],
    };
    const good = { ...doc, id: '01KAP3M1N5Z0S0C0Q7T3WX4B9F', title: 'Second copy' };
    const before = await h.db.message.count();
    const report = await eve.caller.conversation.import({
      content: `${JSON.stringify(bad)}\n${JSON.stringify(good)}\n`,
    });
    expect(report).toMatchObject({ imported: 1, skippedCount: 1 });
    expect(report.skipped[0]).toMatchObject({
      index: 0,
      sourceId: '01KAP3M1N5Z0S0C0Q7T3WX4B9E',
      reason: expect.stringMatching(/^messages\.3\.role: /),
    });
    expect(report.conversations[0]).toMatchObject({ index: 1, title: 'Second copy' });
    expect(await h.db.message.count()).toBe(before + 3);
    const list = await eve.caller.conversation.list();
    expect(list.items.map((c) => c.title)).toEqual(['Second copy']);
  });
});

describe('conversation.import of a ChatGPT export', () => {
  it('flattens each conversation along current_node and reports what it left out', async () => {
    const carol = await h.user('acme', 'carol');
    const report = await carol.caller.conversation.import({ content: CHATGPT });
    expect(report).toMatchObject({ format: 'chatgpt', imported: 2, skippedCount: 1 });
    expect(report.skipped).toEqual([
      {
        index: 2,
        sourceId: '6a0f2b1e-3333-4a5b-9c3d-000000000003',
        reason: 'no message to import on the current branch',
      },
    ]);
    const [lisbon, bread] = report.conversations;
    expect(lisbon).toMatchObject({
      index: 0,
      sourceId: '6a0f2b1e-1111-4a5b-9c3d-000000000001',
      title: 'Trip to Lisbon',
      messages: 4,
      skippedMessages: { 'hidden message': 1, 'call to a tool': 1, 'tool output': 1 },
    });
    expect(bread).toMatchObject({
      title: 'Bread recipe',
      messages: 2,
      skippedMessages: { 'attachment (image or file) not imported': 1 },
    });
    expect(report.messagesSkipped).toBe(4);

    const messages = await carol.caller.message.list({ conversationId: lisbon!.id });
    expect(messages.items.map(({ role, content }) => [role, content])).toEqual([
      ['user', 'What should I see in Lisbon?'],
      ['assistant', 'Belém, Alfama and the view from São Jorge.'],
      ['user', 'How do I get there from the airport?'],
      ['assistant', 'Take the metro: the red line runs from the airport to the centre.'],
    ]);
    expect(messages.items[0]!.createdAt).toBe('2026-01-01T12:00:10.000Z');
    const conversation = await carol.caller.conversation.get({ id: lisbon!.id });
    expect(conversation).toMatchObject({
      title: 'Trip to Lisbon',
      titleSource: 'generated',
      model: 'gpt-4o',
      messageCount: 4,
      createdAt: '2026-01-01T12:00:00.000Z',
      updatedAt: '2026-01-01T12:01:40.000Z',
      lastMessageAt: '2026-01-01T12:01:00.000Z',
    });
    const breadMessages = await carol.caller.message.list({ conversationId: bread!.id });
    expect(breadMessages.items.map((m) => m.content)).toEqual([
      'Why did my loaf not rise? 🍞',
      'The yeast may have been too old, or the kitchen too cold.',
    ]);
    // The answer has no time of its own: it keeps its question's, and its order.
    expect(breadMessages.items[1]!.createdAt).toBe(breadMessages.items[0]!.createdAt);
    expect((await carol.caller.conversation.get({ id: bread!.id })).model).toBe('gpt-4o-mini');

    const before = await snapshot();
    const again = await carol.caller.conversation.import({ content: CHATGPT, format: 'chatgpt' });
    expect(again).toMatchObject({ imported: 0, skippedCount: 3 });
    expect(again.skipped.slice(0, 2)).toEqual([
      expect.objectContaining({ index: 0, reason: 'already imported', id: lisbon!.id }),
      expect.objectContaining({ index: 1, reason: 'already imported', id: bread!.id }),
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('imports into the caller only: the same file is new to another user', async () => {
    const dave = await h.user('acme', 'dave');
    const report = await dave.caller.conversation.import({ content: CHATGPT });
    expect(report.imported).toBe(2);
    const ids = report.conversations.map((c) => c.id);
    for (const id of ids) {
      expect((await refusal(bob.caller.conversation.get({ id }))).code).toBe('NOT_FOUND');
    }
  });
});

describe('conversation.import refuses bad files with where, and writes nothing', () => {
  const cases: [string, string, RegExp][] = [
    ['a truncated file', CHATGPT.slice(0, CHATGPT.length / 2), /truncated/],
    [
      'malformed JSON after a good conversation',
      `[${JSON.stringify(JSON.parse(CHATGPT)[0])},\n{"title": tru}]`,
      /^Malformed JSON at byte \d+ \(line 2, column 14\), in item 1\.$/,
    ],
    ['trailing garbage', `${CHATGPT} ]`, /Malformed JSON at byte \d+/],
    ['an array of numbers', '[1, 2, 3]', /^Not a Parley export or a ChatGPT export: item 0/],
    ['a bare string', '"conversations"', /Expected a JSON array or JSON objects/],
    ['an empty file', '  \n', /empty/],
    ['an empty array', '[]', /no conversation/],
    ['CSV', 'id,title\n1,hello\n', /Expected a JSON array or JSON objects/],
    [
      'a future Parley version',
      '{"format":"parley.conversation","version":2}',
      /version 2 is not supported/,
    ],
  ];
  it.each(cases)('%s is BAD_REQUEST naming where', async (_name, content, message) => {
    const before = await snapshot();
    const error = await refusal(alice.caller.conversation.import({ content }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it('the wrong format when one is named is BAD_REQUEST', async () => {
    const error = await refusal(
      alice.caller.conversation.import({ content: CHATGPT, format: 'parley' }),
    );
    expect(error).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^Not a Parley export: item 0/),
    });
  });

  it('a file over the limit is PAYLOAD_TOO_LARGE', async () => {
    const before = await snapshot();
    const content = `[${' '.repeat(INLINE_IMPORT_MAX_BYTES)}]`;
    const error = await refusal(alice.caller.conversation.import({ content }));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await snapshot()).toEqual(before);
  });
});
