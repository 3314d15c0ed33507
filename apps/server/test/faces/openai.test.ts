/**
 * OpenAI's own Node SDK (`openai`), unchanged, against the OpenAI Conversations face on
 * 127.0.0.1: every conversation and item call, pagination in both orders, and each typed error.
 */
import { renderId } from '@parley/api';
import OpenAI, {
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';
import { trpc } from '../../testing/server-process.ts';

let t: TestApp;
let key: string;
let client: OpenAI;

const CONV_ID = /^conv_[0-7][0-9a-hjkmnp-tv-z]{25}$/;
const MSG_ID = /^msg_[0-7][0-9a-hjkmnp-tv-z]{25}$/;

/** The SDK as its README shows it, with the base URL pointed at Parley. */
const sdk = (apiKey: string, options: { maxRetries?: number } = {}) =>
  new OpenAI({ apiKey, baseURL: `${t.url}/openai/v1`, maxRetries: 0, ...options });

/** The canonical id behind a conv_ id. */
const canonical = (id: string) => id.slice('conv_'.length).toUpperCase();

/** Every stored row, to prove that a refused request changed nothing. */
const snapshot = async () => ({
  conversations: await t.database.db.conversation.findMany({ orderBy: { id: 'asc' } }),
  messages: await t.database.db.message.findMany({ orderBy: { id: 'asc' } }),
});

beforeAll(async () => {
  // Titles are checked on request here; the automatic naming has its own test below.
  t = await startTestApp({ autoTitles: false });
  key = await t.key('acme', 'alice');
  client = sdk(key);
});
afterAll(() => t.close());

describe('conversations', () => {
  it('create with items and metadata, then retrieve', async () => {
    const created = await client.conversations.create({
      metadata: { project: 'p-42', topic: 'Lisbon' },
      items: [
        { type: 'message', role: 'system', content: 'You are a travel agent.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Cheapest way to Porto?' }] },
        // An output message as the Responses API returns it: its id is not kept (Parley ids).
        {
          type: 'message',
          id: 'msg_from_elsewhere',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'The train.', annotations: [] }],
        },
      ],
    });
    expect(created).toMatchObject({
      object: 'conversation',
      metadata: { project: 'p-42', topic: 'Lisbon' },
    });
    expect(created.id).toMatch(CONV_ID);
    expect(Math.abs(created.created_at - Date.now() / 1000)).toBeLessThan(600);

    const read = await client.conversations.retrieve(created.id);
    expect(read).toEqual(created);

    const items = await client.conversations.items.list(created.id, { order: 'asc' });
    expect(items.data).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(MSG_ID),
        status: 'completed',
        role: 'system',
        content: [{ type: 'input_text', text: 'You are a travel agent.' }],
      },
      {
        type: 'message',
        id: expect.stringMatching(MSG_ID),
        status: 'completed',
        role: 'user',
        content: [{ type: 'input_text', text: 'Cheapest way to Porto?' }],
      },
      {
        type: 'message',
        id: expect.stringMatching(MSG_ID),
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'The train.', annotations: [] }],
      },
    ]);
    // Parley's default title, as for any untitled create.
    const seen = await trpc(t.url, 'query', 'conversation.get', { id: created.id }, key);
    expect(seen.body.result.data).toMatchObject({
      title: 'New conversation',
      titleSource: 'default',
      messageCount: 3,
      metadata: { project: 'p-42', topic: 'Lisbon' },
    });
  });

  it('create with nothing: no items, metadata {}', async () => {
    const created = await client.conversations.create();
    expect(created).toMatchObject({ object: 'conversation', metadata: {} });
    const items = await client.conversations.items.list(created.id);
    expect(items.data).toEqual([]);
    expect(items.has_more).toBe(false);
  });

  it('update replaces the metadata whole', async () => {
    const created = await client.conversations.create({ metadata: { a: '1', b: '2' } });
    const updated = await client.conversations.update(created.id, { metadata: { c: '3' } });
    expect(updated).toEqual({ ...created, metadata: { c: '3' } });
    expect((await client.conversations.retrieve(created.id)).metadata).toEqual({ c: '3' });
    const cleared = await client.conversations.update(created.id, { metadata: null });
    expect(cleared.metadata).toEqual({});
  });

  it('delete answers conversation.deleted, then the conversation is gone', async () => {
    const created = await client.conversations.create({ items: [{ role: 'user', content: 'x' }] });
    const deleted = await client.conversations.delete(created.id);
    expect(deleted).toEqual({ id: created.id, object: 'conversation.deleted', deleted: true });
    await expect(client.conversations.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(
      await t.database.db.message.count({ where: { conversationId: canonical(created.id) } }),
    ).toBe(0);
  });

  it('developer items are kept as system messages', async () => {
    const created = await client.conversations.create({
      items: [{ role: 'developer', content: 'Answer in French.' }],
    });
    const items = await client.conversations.items.list(created.id);
    expect(items.data).toMatchObject([
      { role: 'system', content: [{ type: 'input_text', text: 'Answer in French.' }] },
    ]);
  });

  it('several text parts are one message, joined by a blank line', async () => {
    const created = await client.conversations.create({
      items: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'First part.' },
            { type: 'input_text', text: 'Second part.' },
          ],
        },
      ],
    });
    const items = await client.conversations.items.list(created.id);
    expect(items.data).toMatchObject([
      { role: 'user', content: [{ type: 'input_text', text: 'First part.\n\nSecond part.' }] },
    ]);
  });
});

describe('items', () => {
  it('items.create adds them in order and answers the list of them', async () => {
    const { id } = await client.conversations.create();
    const created = await client.conversations.items.create(id, {
      items: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi! How can I help?' },
      ],
    });
    expect(created).toMatchObject({ object: 'list', has_more: false });
    expect(created.data.map((i) => i.type === 'message' && [i.role, i.content])).toEqual([
      ['user', [{ type: 'input_text', text: 'Hello' }]],
      ['assistant', [{ type: 'output_text', text: 'Hi! How can I help?', annotations: [] }]],
    ]);
    expect(created.first_id).toBe(created.data[0]!.id);
    expect(created.last_id).toBe(created.data[1]!.id);
  });

  it('items.retrieve and items.delete; the deleted item is then not found', async () => {
    const { id } = await client.conversations.create();
    const { data } = await client.conversations.items.create(id, {
      items: [
        { role: 'user', content: 'keep' },
        { role: 'user', content: 'drop' },
      ],
    });
    const [keep, drop] = data as OpenAI.Conversations.Message[];
    expect(await client.conversations.items.retrieve(drop!.id, { conversation_id: id })).toEqual(
      drop,
    );
    const after = await client.conversations.items.delete(drop!.id, { conversation_id: id });
    expect(after).toMatchObject({ id, object: 'conversation' });
    await expect(
      client.conversations.items.retrieve(drop!.id, { conversation_id: id }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      client.conversations.items.delete(drop!.id, { conversation_id: id }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const left = await client.conversations.items.list(id);
    expect(left.data.map((i) => i.id)).toEqual([keep!.id]);
    const seen = await trpc(t.url, 'query', 'conversation.get', { id }, key);
    expect(seen.body.result.data.messageCount).toBe(1);
  });

  it('auto-pagination walks every item once, in both orders, across pages', async () => {
    const { id } = await client.conversations.create();
    const texts = Array.from({ length: 47 }, (_, i) => `message ${i}`);
    for (let i = 0; i < texts.length; i += 20) {
      await client.conversations.items.create(id, {
        items: texts.slice(i, i + 20).map((text) => ({ role: 'user' as const, content: text })),
      });
    }
    const textOf = (item: OpenAI.Conversations.ConversationItem) =>
      item.type === 'message' && item.content[0]?.type === 'input_text'
        ? item.content[0].text
        : undefined;

    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let pages = 0;
      const first = await client.conversations.items.list(id, { order, limit: 10 });
      for await (const page of first.iterPages()) {
        pages += 1;
        seen.push(...page.data.map((item) => textOf(item)!));
      }
      expect(pages).toBe(5);
      expect(seen).toEqual(order === 'asc' ? texts : [...texts].reverse());
    }

    // for await over the list itself (the SDK's auto-pagination), with the default order: newest first.
    const all: string[] = [];
    for await (const item of client.conversations.items.list(id, { limit: 7 })) {
      all.push(textOf(item)!);
    }
    expect(all).toEqual([...texts].reverse());
  });
});

describe('typed errors', () => {
  it('NotFoundError for an unknown id, a malformed one and someone else’s', async () => {
    const bob = sdk(await t.key('acme', 'bob'));
    const { id } = await client.conversations.create({ metadata: { secret: 'yes' } });
    const bodies: unknown[] = [];
    for (const other of ['conv_01arz3ndektsv4rrffq69g5fav', 'conv_nope', id]) {
      const error = await bob.conversations.retrieve(other).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).status).toBe(404);
      bodies.push((error as NotFoundError).error);
    }
    expect(bodies[0]).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    await expect(bob.conversations.update(id, { metadata: {} })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(bob.conversations.delete(id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(bob.conversations.items.list(id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      bob.conversations.items.create(id, { items: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await client.conversations.retrieve(id)).metadata).toEqual({ secret: 'yes' });
  });

  it('AuthenticationError for a wrong key', async () => {
    const error = await sdk('pk_not-a-key')
      .conversations.create()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
  });

  it('BadRequestError for metadata past its limits, storing nothing', async () => {
    const { id } = await client.conversations.create({ metadata: { keep: 'me' } });
    const before = await snapshot();
    const seventeen = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    for (const [metadata, param] of [
      [seventeen, 'metadata'],
      [{ ['k'.repeat(65)]: 'v' }, `metadata.${'k'.repeat(65)}`],
      [{ k: 'v'.repeat(513) }, 'metadata.k'],
    ] as const) {
      for (const attempt of [
        () => client.conversations.create({ metadata }),
        () => client.conversations.update(id, { metadata }),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BadRequestError);
        expect((error as BadRequestError).error).toMatchObject({
          type: 'invalid_request_error',
          param,
        });
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('BadRequestError for items Parley cannot keep, storing nothing', async () => {
    const { id } = await client.conversations.create();
    const before = await snapshot();
    const refused: [unknown, string][] = [
      [{ type: 'function_call_output', call_id: 'c1', output: '42' }, 'items[0].type'],
      [{ role: 'tool', content: 'x' }, 'items[0].role'],
      [
        { role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] },
        'items[0].content',
      ],
      [{ role: 'user', content: '' }, 'items[0].content'],
    ];
    for (const [item, param] of refused) {
      const error = await client.conversations.items
        .create(id, { items: [{ role: 'user', content: 'fine' }, item] as never })
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(item)).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).error).toMatchObject({
        param: param.replace('items[0]', 'items[1]'),
      });
    }
    const tooMany = Array.from({ length: 21 }, () => ({ role: 'user' as const, content: 'x' }));
    await expect(client.conversations.items.create(id, { items: tooMany })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    await expect(client.conversations.create({ items: tooMany })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    await expect(
      client.conversations.items.list(id, { after: 'not-an-item' }),
    ).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.conversations.items.list(id, { limit: 101 })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('RateLimitError with Retry-After, when the credential’s limit is spent', async () => {
    const limited = await startTestApp({ rateLimits: { perCredential: 2, perIp: 0 } });
    try {
      const limitedKey = await limited.key('acme', 'alice');
      const limitedClient = new OpenAI({
        apiKey: limitedKey,
        baseURL: `${limited.url}/openai/v1`,
        maxRetries: 0,
      });
      await limitedClient.conversations.create();
      await limitedClient.conversations.create();
      const error = await limitedClient.conversations.create().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).error).toMatchObject({
        type: 'requests',
        code: 'rate_limit_exceeded',
      });
      expect(Number((error as RateLimitError).headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('the same conversations through the other faces', () => {
  it('created here: readable and renamable through orq, Florent, RAG and tRPC', async () => {
    const created = await client.conversations.create({
      items: [{ role: 'user', content: 'Hello from OpenAI' }],
      metadata: { origin: 'openai' },
    });
    const id = canonical(created.id);
    const orq = await call(t.url, 'GET', `/v2/conversations/${created.id}`, { key });
    expect(orq).toMatchObject({ status: 200, body: { _id: created.id } });
    const renamed = await call(t.url, 'PATCH', `/api/florent/conversations/${id}`, {
      key,
      body: { title: 'Renamed by Florent' },
    });
    expect(renamed.body.conversation).toMatchObject({ _id: id, messageCount: 1 });
    const rag = await call(t.url, 'GET', `/api/conversations/${id}`, { key });
    expect(rag.body).toMatchObject({
      title: 'Renamed by Florent',
      messages: [{ role: 'user', content: 'Hello from OpenAI' }],
    });
    const seen = await trpc(t.url, 'query', 'conversation.get', { id }, key);
    expect(seen.body.result.data).toMatchObject({ id, metadata: { origin: 'openai' } });
    // The rename changed nothing the OpenAI face shows.
    expect(await client.conversations.retrieve(created.id)).toEqual(created);
  });

  it('created elsewhere: readable here, with messages appended through tRPC as items', async () => {
    const florent = await call(t.url, 'POST', '/api/florent/conversations', {
      key,
      body: { title: 'From Florent' },
    });
    const id: string = florent.body.conversation._id;
    await trpc(
      t.url,
      'mutation',
      'message.append',
      { conversationId: id, role: 'user', content: 'Hi' },
      key,
    );
    const read = await client.conversations.retrieve(renderId(id, 'orq'));
    expect(read).toMatchObject({ id: renderId(id, 'orq'), metadata: {} });
    const items = await client.conversations.items.list(read.id);
    expect(items.data).toMatchObject([{ role: 'user', content: [{ text: 'Hi' }] }]);
    // tRPC's metadata shows here.
    await trpc(
      t.url,
      'mutation',
      'conversation.setMetadata',
      { id, metadata: { set: 'by tRPC' } },
      key,
    );
    expect((await client.conversations.retrieve(read.id)).metadata).toEqual({ set: 'by tRPC' });
  });
});

describe('automatic titles', () => {
  it('the first user message names a conversation created here', async () => {
    const app = await startTestApp({ autoTitles: true });
    try {
      const own = await app.key('acme', 'alice');
      const openai = new OpenAI({ apiKey: own, baseURL: `${app.url}/openai/v1`, maxRetries: 0 });
      const { id } = await openai.conversations.create({
        items: [{ role: 'user', content: 'Cheapest way from Porto to Lisbon?' }],
      });
      const deadline = Date.now() + 20_000;
      let title = '';
      while (Date.now() < deadline) {
        const seen = await trpc(app.url, 'query', 'conversation.get', { id }, own);
        title = seen.body.result.data.title;
        if (seen.body.result.data.titleSource === 'generated') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(title).toBe('Cheapest way from Porto to Lisbon?');
    } finally {
      await app.close();
    }
  });
});
