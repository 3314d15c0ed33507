/**
 * conversation.search through the router, on a real database (the `sqlite` and `postgres`
 * projects both run this file): what it finds and in what order, any script, the index kept in
 * step with every write, the caller's own conversations only, and bad queries refused or taken
 * as plain text, never a 500.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';

let h: Harness;
let alice: Awaited<ReturnType<Harness['user']>>;
let bob: Awaited<ReturnType<Harness['user']>>; // same organization

beforeAll(async () => {
  h = await createHarness();
  alice = await h.user('acme', 'alice');
  bob = await h.user('acme', 'bob');
});
afterAll(() => h.close());

type Caller = typeof alice.caller;
type Page = Awaited<ReturnType<Caller['conversation']['search']>>;
type Result = Page['items'][number];

const search = (q: string, extra: { limit?: number; archived?: 'include' | 'only' } = {}) =>
  alice.caller.conversation.search({ q, ...extra });

const ids = (page: Page) => page.items.map((r) => r.conversation.id);

/** The highlighted parts of a result's snippet, as text. */
const marked = (result: Result | undefined) =>
  result?.snippet.highlights.map(({ start, end }) => result.snippet.text.slice(start, end)) ?? [];

async function conversation(caller: Caller, title: string, ...messages: string[]) {
  const c = await caller.conversation.create({ title });
  const stored = [];
  for (const content of messages)
    stored.push(await caller.message.append({ conversationId: c.id, role: 'user', content }));
  return { id: c.id, messages: stored };
}

async function refusal(promise: Promise<unknown>): Promise<{ code?: string }> {
  return promise.then(
    () => ({ code: 'none: it answered' }),
    (e: unknown) => e as { code?: string },
  );
}

describe('conversation.search', () => {
  it('finds titles and message contents, title matches first, with the matching message', async () => {
    // The message is the closer match (short, all "aquarium"); the title still comes first.
    const inMessage = await conversation(
      alice.caller,
      'Weekend plans',
      'Nothing here',
      'Aquarium?',
    );
    const inTitle = await conversation(
      alice.caller,
      'Tickets for the aquarium, the zoo and the botanical garden',
      'How much are they?',
    );

    const page = await search('aquarium');
    expect(ids(page)).toEqual([inTitle.id, inMessage.id]);
    const [title, message] = page.items;
    expect(title).toMatchObject({ matchedIn: 'title', messageId: null });
    expect(title?.snippet.text).toBe('Tickets for the aquarium, the zoo and the botanical garden');
    expect(marked(title)).toEqual(['aquarium']);
    expect(message).toMatchObject({ matchedIn: 'message', messageId: inMessage.messages[1]?.id });
    expect(message?.snippet.text).toBe('Aquarium?');
    expect(marked(message)).toEqual(['Aquarium']);
    expect(message?.conversation).toMatchObject({ id: inMessage.id, title: 'Weekend plans' });
  });

  it('needs every word, in any order and case, as part of a word', async () => {
    const both = await conversation(alice.caller, 'Notes', 'The Quokka smiles at the PHOTOGRAPHER');
    await conversation(alice.caller, 'Other notes', 'A quokka, alone');

    expect(ids(await search('photo quokka'))).toEqual([both.id]);
    expect(marked((await search('photo quokka')).items[0])).toEqual(['Quokka', 'PHOTO']);
    expect(ids(await search('quokka')).sort()).toHaveLength(2);
    expect(ids(await search('quokka zebra'))).toEqual([]);
  });

  it('ranks the closer match first, before the more recent one', async () => {
    const close = await conversation(alice.caller, 'Zoo', 'Wombat');
    const loose = await conversation(
      alice.caller,
      'Zoo again',
      'Of all the animals we saw that day, the sleepy wombat in its burrow was my favourite',
    );
    expect(ids(await search('wombat'))).toEqual([close.id, loose.id]);
  });

  it('ranks equal matches by the most recently updated conversation', async () => {
    // Titles of one shape, so that they are equally relevant (bm25, trigram similarity).
    const older = await conversation(alice.caller, 'Tapir red');
    const newer = await conversation(alice.caller, 'Tapir fox');
    expect(ids(await search('tapir'))).toEqual([newer.id, older.id]);
    await alice.caller.conversation.rename({ id: older.id, title: 'Tapir owl' });
    expect(ids(await search('tapir'))).toEqual([older.id, newer.id]);
  });

  it('finds any script: CJK, Cyrillic, accents and emoji, short queries too', async () => {
    const japanese = await conversation(alice.caller, '旅行', '東京タワーに行きました');
    const chinese = await conversation(alice.caller, '学习', '我们明天学习中文');
    const russian = await conversation(alice.caller, 'Письмо', 'Привет, как дела?');
    const french = await conversation(alice.caller, 'Recette', 'Une crème brûlée réussie');
    const emoji = await conversation(alice.caller, 'Party 🎉🎉', 'Cake 🎂 and 👍🏽 for everyone');

    expect(ids(await search('タワー'))).toEqual([japanese.id]); // 3 characters: the index
    expect(ids(await search('東京'))).toEqual([japanese.id]); // 2 characters: a scan
    expect(ids(await search('中文'))).toEqual([chinese.id]);
    expect(ids(await search('学'))).toEqual([chinese.id]); // title and message: once
    expect((await search('学')).items[0]).toMatchObject({ matchedIn: 'title' });
    expect(ids(await search('как дела'))).toEqual([russian.id]);
    expect(ids(await search('brûlée'))).toEqual([french.id]);
    expect(marked((await search('brûlée')).items[0])).toEqual(['brûlée']);
    expect(ids(await search('🎂'))).toEqual([emoji.id]);
    expect(ids(await search('👍🏽'))).toEqual([emoji.id]);
    expect(ids(await search('🎉🎉'))).toEqual([emoji.id]);
    expect(marked((await search('🎂')).items[0])).toEqual(['🎂']);
    // No English stemming: a word is found as written, not by its stem (both are "run").
    const late = await conversation(alice.caller, 'Late', 'She was running late');
    expect(ids(await search('running'))).toEqual([late.id]);
    expect(ids(await search('runs'))).toEqual([]);
  });

  it('cuts a long message around the match and says where the words are', async () => {
    const long = `${'lorem ipsum '.repeat(40)}the narwhal surfaces\n${'dolor sit '.repeat(40)}`;
    const c = await conversation(alice.caller, 'Long', long);
    const [result] = (await search('narwhal')).items;
    expect(result?.conversation.id).toBe(c.id);
    const text = result?.snippet.text ?? '';
    expect(text.startsWith('…') && text.endsWith('…')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(170);
    expect(text).not.toContain('\n');
    expect(marked(result)).toEqual(['narwhal']);
  });

  it('keeps the index in step with renames, message deletes, deletes and imports', async () => {
    const c = await conversation(alice.caller, 'Flamingo facts', 'Pink from shrimp');
    await alice.caller.conversation.rename({ id: c.id, title: 'Heron facts' });
    expect(ids(await search('flamingo'))).toEqual([]);
    expect(ids(await search('heron'))).toEqual([c.id]);

    expect(ids(await search('shrimp'))).toEqual([c.id]);
    await alice.caller.message.delete({ conversationId: c.id, id: c.messages[0]!.id });
    // The next message takes the deleted one's place (SQLite reuses the highest rowid): an
    // index entry left behind would now match it.
    await alice.caller.message.append({ conversationId: c.id, role: 'user', content: 'Krill' });
    expect(ids(await search('shrimp'))).toEqual([]);
    expect(ids(await search('krill'))).toEqual([c.id]);
    await alice.caller.conversation.delete({ id: c.id });
    expect(ids(await search('krill'))).toEqual([]);
    expect(ids(await search('heron'))).toEqual([]);

    const chatgpt = readFileSync(
      path.join(import.meta.dirname, '../../testing/fixtures/chatgpt-conversations.json'),
      'utf8',
    );
    const report = await alice.caller.conversation.import({ content: chatgpt });
    expect(report.imported).toBe(2);
    const [found] = (await search('São Jorge')).items;
    expect(found).toMatchObject({
      matchedIn: 'message',
      conversation: { title: 'Trip to Lisbon' },
    });
    expect(marked(found)).toEqual(['São', 'Jorge']);
    expect(ids(await search('Bread recipe'))).toHaveLength(1);
  });

  it("never finds someone else's conversations", async () => {
    const mine = await conversation(alice.caller, 'Okapi sightings', 'An okapi in the forest');
    await conversation(bob.caller, 'Okapi (bob)', 'Bob saw an okapi too');
    expect(ids(await search('okapi'))).toEqual([mine.id]);
    // Nor counts them: one result is the whole page.
    await conversation(bob.caller, 'Okapi again', 'Still okapi');
    expect((await search('okapi', { limit: 1 })).nextCursor).toBeNull();
    const bobs = await bob.caller.conversation.search({ q: 'okapi' });
    expect(bobs.items.map((r) => r.conversation.title).sort()).toEqual([
      'Okapi (bob)',
      'Okapi again',
    ]);
    // Short words take the scan, not the index: still the caller's own only.
    const short = await bob.caller.conversation.search({ q: 'ok' });
    expect(short.items.map((r) => r.conversation.userId)).toEqual([bob.userId, bob.userId]);
  });

  it('leaves archived conversations out unless asked for', async () => {
    const kept = await conversation(alice.caller, 'Axolotl care');
    const archived = await conversation(alice.caller, 'Axolotl tank');
    await alice.caller.conversation.archive({ id: archived.id });
    expect(ids(await search('axolotl'))).toEqual([kept.id]);
    expect(ids(await search('axolotl', { archived: 'only' }))).toEqual([archived.id]);
    expect(ids(await search('axolotl', { archived: 'include' })).sort()).toEqual(
      [kept.id, archived.id].sort(),
    );
  });

  it('pages with a cursor, every match once, and refuses a cursor of another search', async () => {
    const made = [];
    for (let i = 0; i < 7; i++) made.push((await conversation(alice.caller, `Pangolin ${i}`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: Page = await alice.caller.conversation.search({
        q: 'pangolin',
        limit: 3,
        cursor,
      });
      expect(result.items.length).toBeLessThanOrEqual(3);
      seen.push(...ids(result));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...made].reverse());
    const first = await alice.caller.conversation.search({ q: 'pangolin', limit: 3 });
    const other = await refusal(
      alice.caller.conversation.search({ q: 'axolotl', cursor: first.nextCursor }),
    );
    expect(other.code).toBe('BAD_REQUEST');
    expect((await refusal(search('pangolin', { limit: 101 }))).code).toBe('BAD_REQUEST');
    expect(
      (await refusal(alice.caller.conversation.search({ q: 'pangolin', cursor: 'garbage' }))).code,
    ).toBe('BAD_REQUEST');
    expect((await search('pangolin')).items).toHaveLength(7); // default limit 20
  });

  it('refuses empty and overlong queries', async () => {
    for (const q of ['', '   ', '\n\t', 'x'.repeat(10_000), 'x'.repeat(201), '\uD800abc']) {
      expect((await refusal(search(q))).code, JSON.stringify(q.slice(0, 20))).toBe('BAD_REQUEST');
    }
    expect((await search('x'.repeat(200))).items).toEqual([]);
  });

  it('takes FTS and LIKE syntax as plain text', async () => {
    const c = await conversation(
      alice.caller,
      'Syntax',
      'Save "50%_off" now: a*b OR c-d NEAR(e f) {col}:x ^start \\path\\ \'quoted\'',
    );
    await conversation(alice.caller, 'Decoy', 'Save 50xxoff now: aXb');
    for (const q of [
      '"50%_off"',
      '50%_off',
      'a*b',
      'OR c-d',
      'NEAR(e',
      '{col}:x',
      '^start',
      '\\path\\',
      "'quoted'",
      '"',
      '%',
      '_',
      '*',
    ]) {
      expect(ids(await search(q)), q).toEqual([c.id]);
    }
    expect(marked((await search('50%_off')).items[0])).toEqual(['50%_off']);
    for (const q of ['AND', 'NOT', '-', ':', '(', ')', '\\', "'", '^', '{', '"a', '""""']) {
      const page = await search(q); // whatever it finds, it answers
      expect(Array.isArray(page.items), q).toBe(true);
    }
  });
});
