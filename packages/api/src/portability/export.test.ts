/**
 * The export of all of a user's conversations (NDJSON), across pages of conversations and of
 * messages, and back in through the import: the same conversations, nothing of anyone else's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import type { Principal } from '../auth/principal.ts';
import { exportAllConversations, openConversationExport } from './export.ts';
import { importConversations } from './import.ts';

let h: Harness;
let alice: Awaited<ReturnType<Harness['user']>>;
let bob: Awaited<ReturnType<Harness['user']>>;

const principal = async (key: string) => (await h.authenticate(`Bearer ${key}`)) as Principal;

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
}

const COUNT = 230; // more than two pages of 100
const LONG = 1_100; // more than two pages of 500 messages

beforeAll(async () => {
  h = await createHarness();
  alice = await h.user('acme', 'alice');
  bob = await h.user('acme', 'bob');
  for (let i = 0; i < COUNT; i++) {
    const c = await alice.caller.conversation.create({ title: `Chat ${i}` });
    if (i % 50 === 0) {
      await alice.caller.message.append({ conversationId: c.id, role: 'user', content: `hi ${i}` });
    }
  }
  await bob.caller.conversation.create({ title: 'Not yours' });
  // A long conversation, written through the import (faster than 1,100 appends).
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  const long = {
    format: 'parley.conversation',
    version: 1,
    id: 'long-one',
    title: 'Long',
    model: 'default',
    userDisplay: null,
    timezone: null,
    createdAt: at(0),
    updatedAt: at(LONG),
    messages: Array.from({ length: LONG }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: `message ${i}`,
      createdAt: at(i),
    })),
  };
  const report = await alice.caller.conversation.import({ content: JSON.stringify(long) });
  expect(report.imported).toBe(1);
});
afterAll(() => h.close());

describe('exportAllConversations', () => {
  it('writes one document per line, oldest first, only the caller’s, every message', async () => {
    const ndjson = await text(exportAllConversations(h.db, await principal(alice.key)));
    expect(ndjson.endsWith('\n')).toBe(true);
    const docs = ndjson
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(docs).toHaveLength(COUNT + 1);
    expect(docs.some((d) => d.title === 'Not yours')).toBe(false);
    // The imported long one keeps its 2026-01-01 creation time: it is the oldest.
    expect(docs[0]).toMatchObject({ title: 'Long', messageCount: LONG });
    expect(docs[0].messages.map((m: { content: string }) => m.content)).toEqual(
      Array.from({ length: LONG }, (_, i) => `message ${i}`),
    );
    expect(docs.slice(1).map((d) => d.title)).toEqual(
      Array.from({ length: COUNT }, (_, i) => `Chat ${i}`),
    );
    expect(docs[1].messages).toMatchObject([{ role: 'user', content: 'hi 0' }]);
    expect(docs[2].messages).toEqual([]);
  });

  it('is read back whole by the import, into another account', async () => {
    const ndjson = await text(exportAllConversations(h.db, await principal(alice.key)));
    const carol = await h.user('acme', 'carol');
    const report = await importConversations(
      h.db,
      await principal(carol.key),
      () => [ndjson],
      { maxBytes: 64 * 1024 * 1024 },
      h.events,
    );
    expect(report).toMatchObject({ format: 'parley', imported: COUNT + 1, skippedCount: 0 });
    const again = await text(exportAllConversations(h.db, await principal(carol.key)));
    const strip = (s: string) =>
      s
        .trimEnd()
        .split('\n')
        .map((line) => {
          const doc = JSON.parse(line);
          delete doc.id;
          for (const m of doc.messages) delete m.id;
          return doc;
        });
    expect(strip(again)).toEqual(strip(ndjson));
  });

  it('is empty for a user without conversations', async () => {
    const dave = await h.user('acme', 'dave');
    expect(await text(exportAllConversations(h.db, await principal(dave.key)))).toBe('');
  });
});

describe('openConversationExport', () => {
  it('streams one conversation as the same document the router returns', async () => {
    const list = await alice.caller.conversation.list({ limit: 1, sort: 'createdAt' });
    const id = list.items[0]!.id;
    const { chunks } = await openConversationExport(h.db, await principal(alice.key), id, 'json');
    const streamed = JSON.parse(await text(chunks));
    const whole = JSON.parse((await alice.caller.conversation.export({ id })).content);
    expect(streamed).toEqual(whole);
    expect(streamed.messages).toHaveLength(LONG);
  });
});
