/**
 * Real clients, unchanged, against Parley on 127.0.0.1: Dify's own Node SDK (dify-client, axios),
 * an openapi-fetch client typed by openapi-typescript from the Florent seed specs, and plain fetch
 * against orq.ai's documented shapes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderId } from '@parley/api';
import { ChatClient } from 'dify-client';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';
import type { components, paths } from '../fixtures/florent-api';
import { florentTypes } from '../fixtures/generate.ts';
import {
  appendMessage,
  createConversation,
  examples,
  expectNow,
  expectSchema,
  FIXTURES,
  getConversation,
  ISO,
  ORQ_ID,
  ULID,
  UNKNOWN,
  UUID_V7,
} from './schemas.ts';

// axios honours HTTP(S)_PROXY; these requests are for the loopback server only.
process.env.NO_PROXY = ['127.0.0.1', 'localhost', process.env.NO_PROXY].filter(Boolean).join(',');

let t: TestApp;
let alice: string;

beforeAll(async () => {
  // The SDKs' naming calls (Dify's auto_generate, orq's generate-name) are on request: with
  // automatic titles on, a user message would name the conversation first (cross-face.test.ts).
  t = await startTestApp({ autoTitles: false });
  alice = await t.key('acme', 'alice');
});
afterAll(() => t.close());

/** What axios rejects with on a 4xx: the response is on the error. */
async function rejection(
  promise: Promise<unknown>,
): Promise<{ status: number; data: any; headers: any }> {
  try {
    await promise;
  } catch (error: any) {
    if (error?.response) return error.response;
    throw error;
  }
  throw new Error('expected the SDK call to fail');
}

describe('Dify’s Node SDK (dify-client), pointed at /v1', () => {
  /**
   * The SDK's own signatures. Its index.d.ts declares renameConversation with three parameters,
   * but index.js takes a fourth, auto_generate, and sends { name, user, auto_generate }.
   */
  interface Sdk {
    renameConversation(
      conversationId: string,
      name: string | null | undefined,
      user: string,
      autoGenerate?: boolean,
    ): Promise<any>;
    getConversations(
      user: string,
      firstId?: string | null,
      limit?: number | null,
      pinned?: boolean | null,
    ): Promise<any>;
    deleteConversation(conversationId: string, user: string): Promise<any>;
    getConversationMessages(
      user: string,
      conversationId?: string,
      firstId?: string | null,
      limit?: number | null,
    ): Promise<any>;
  }
  /** The SDK as its README shows it: an app key and the API base URL. */
  const difySdk = (key: string): Sdk => new ChatClient(key, `${t.url}/v1`);
  let sdk: Sdk;
  /** A second user of the organization, named as Dify's end user. */
  let carol: string;

  beforeAll(async () => {
    sdk = difySdk(alice);
    carol = await t.key('acme', 'carol');
  });

  it('renameConversation(id, name, user) renames, visible through tRPC', async () => {
    const { id } = await createConversation(t.url, carol, 'Untitled chat');
    const uuid = renderId(id, 'uuid');
    const response = await sdk.renameConversation(uuid, 'Trip to Lisbon', 'carol');
    expect(response.status).toBe(200);
    expectSchema('dify', 'ConversationRenameResponse', response.data);
    expect(response.data).toMatchObject({
      id: uuid,
      name: 'Trip to Lisbon',
      inputs: {},
      status: 'normal',
    });
    expect(response.data.id).toMatch(UUID_V7);
    expectNow(response.data.created_at, 's', 'created_at');
    expectNow(response.data.updated_at, 's', 'updated_at');
    expect(response.headers.etag).toBe('"2"');
    expect(await getConversation(t.url, carol, id)).toMatchObject({
      title: 'Trip to Lisbon',
      titleSource: 'user',
      version: 2,
    });
  });

  it('renameConversation(id, undefined | null, user, true) names it from the first user message', async () => {
    for (const name of [undefined, null]) {
      const { id } = await createConversation(t.url, carol);
      await appendMessage(t.url, carol, id, 'system', 'You are a travel agent.');
      await appendMessage(t.url, carol, id, 'user', 'Cheapest way from Porto to Lisbon?');
      await appendMessage(t.url, carol, id, 'assistant', 'The train.');
      await appendMessage(t.url, carol, id, 'user', 'And back?');
      const response = await sdk.renameConversation(renderId(id, 'uuid'), name, 'carol', true);
      expect(response.status).toBe(200);
      expectSchema('dify', 'ConversationRenameResponse', response.data);
      expect(response.data.name).toBe('Cheapest way from Porto to Lisbon?');
      expect(await getConversation(t.url, carol, id)).toMatchObject({
        title: 'Cheapest way from Porto to Lisbon?',
        titleSource: 'generated',
        version: 2,
      });
    }
  });

  it('auto-generate on a conversation without messages is 400 invalid_param', async () => {
    const { id } = await createConversation(t.url, carol, 'Empty');
    const error = await rejection(
      sdk.renameConversation(renderId(id, 'uuid'), null, 'carol', true),
    );
    expect(error.status).toBe(400);
    expect(error.data).toMatchObject({ code: 'invalid_param', status: 400 });
    expectSchema('dify-reference', 'ErrorResponse', error.data);
    expect(await getConversation(t.url, carol, id)).toMatchObject({ title: 'Empty', version: 1 });
  });

  it('getConversations(user, first_id, limit) lists the end user’s conversations, pages and all', async () => {
    const dave = await t.key('acme', 'dave');
    const ids: string[] = [];
    for (const title of ['one', 'two', 'three']) {
      ids.push(renderId((await createConversation(t.url, dave, title)).id, 'uuid'));
    }
    const all = await sdk.getConversations('dave');
    expect(all.status).toBe(200);
    expectSchema('dify-reference', 'ConversationsListResponse', all.data);
    for (const item of all.data.data) expectSchema('dify', 'ConversationListItem', item);
    expect(all.data).toMatchObject({ limit: 20, has_more: false });
    // Most recently updated first.
    expect(all.data.data.map((c: any) => c.name)).toEqual(['three', 'two', 'one']);
    expect(all.data.data.map((c: any) => c.id)).toEqual([...ids].reverse());

    const first = await sdk.getConversations('dave', null, 2);
    expect(first.data).toMatchObject({ limit: 2, has_more: true });
    expect(first.data.data.map((c: any) => c.name)).toEqual(['three', 'two']);
    const next = await sdk.getConversations('dave', first.data.data.at(-1).id, 2);
    expect(next.data).toMatchObject({ limit: 2, has_more: false });
    expect(next.data.data.map((c: any) => c.name)).toEqual(['one']);

    // A rename moves a conversation to the top (sort_by -updated_at, the default).
    await sdk.renameConversation(ids[0]!, 'one, renamed', 'dave');
    const after = await sdk.getConversations('dave');
    expect(after.data.data.map((c: any) => c.name)).toEqual(['one, renamed', 'three', 'two']);

    // Another end user's list does not show dave's conversations; an unknown one is empty.
    const carols = await sdk.getConversations('carol');
    expect(carols.data.data.map((c: any) => c.id)).not.toContain(ids[1]);
    const nobody = await sdk.getConversations('nobody-yet');
    expect(nobody.data).toMatchObject({ has_more: false, data: [] });
  });

  it('deleteConversation(id, user) deletes (204), visible through tRPC; again is 404', async () => {
    const { id } = await createConversation(t.url, carol, 'Delete me');
    const uuid = renderId(id, 'uuid');
    const response = await sdk.deleteConversation(uuid, 'carol');
    expect(response.status).toBe(204);
    expect(response.data).toBe('');
    expect(await getConversation(t.url, carol, id)).toBeNull();
    const again = await rejection(sdk.deleteConversation(uuid, 'carol'));
    expect(again.status).toBe(404);
    expect(again.data).toEqual({
      code: 'not_found',
      message: 'Conversation Not Exists.',
      status: 404,
    });
  });

  it('getConversationMessages(user, conversation_id) lists the turns oldest to newest, in the reference’s shape', async () => {
    const { id } = await createConversation(t.url, carol, 'History');
    const said: [role: 'user' | 'assistant' | 'system', content: string][] = [
      ['system', 'You are a travel agent.'],
      ['user', 'Porto to Lisbon?'],
      ['assistant', 'The train.'],
      ['user', 'How long?'],
      ['assistant', 'About three hours.'],
      ['assistant', 'The Alfa Pendular is faster.'],
      ['user', 'And the price?'],
    ];
    for (const [role, content] of said) await appendMessage(t.url, carol, id, role, content);
    const stored = await t.database.db.message.findMany({
      where: { conversationId: id },
      orderBy: { id: 'asc' },
    });

    const response = await sdk.getConversationMessages('carol', renderId(id, 'uuid'));
    expect(response.status).toBe(200);
    expectSchema('dify-reference', 'ConversationHistoryResponse', response.data);
    for (const item of response.data.data) {
      expectSchema('dify-reference', 'ConversationMessageItem', item);
      expect(item.id).toMatch(UUID_V7);
      expect(item.conversation_id).toBe(renderId(id, 'uuid'));
      expectNow(item.created_at, 's', 'created_at');
    }
    expect(response.data).toMatchObject({ limit: 20, has_more: false });
    const turnIds = [stored[1]!.id, stored[3]!.id, stored[6]!.id].map((m) => renderId(m, 'uuid'));
    expect(response.data.data).toEqual([
      expect.objectContaining({
        id: turnIds[0],
        parent_message_id: null,
        query: 'Porto to Lisbon?',
        answer: 'The train.',
        status: 'normal',
        error: null,
        feedback: null,
        inputs: {},
        message_files: [],
        retriever_resources: [],
        agent_thoughts: [],
      }),
      expect.objectContaining({
        id: turnIds[1],
        parent_message_id: turnIds[0],
        query: 'How long?',
        answer: 'About three hours.\n\nThe Alfa Pendular is faster.',
      }),
      // Asked, not answered yet.
      expect.objectContaining({
        id: turnIds[2],
        parent_message_id: turnIds[1],
        query: 'And the price?',
        answer: '',
      }),
    ]);
    expect(Object.keys(response.data.data[0]).sort()).toEqual(
      [
        'agent_thoughts',
        'answer',
        'conversation_id',
        'created_at',
        'error',
        'feedback',
        'id',
        'inputs',
        'message_files',
        'parent_message_id',
        'query',
        'retriever_resources',
        'status',
      ].sort(),
    );
  });

  it('getConversationMessages(user, id, first_id, limit) pages back through 250 turns without a gap or a repeat', async () => {
    const erin = await t.key('acme', 'erin');
    const { id } = await createConversation(t.url, erin, 'Long');
    for (let i = 0; i < 250; i++) {
      await appendMessage(t.url, erin, id, 'user', `q${i}`);
      await appendMessage(t.url, erin, id, 'assistant', `a${i}`);
    }
    const pages: any[] = [];
    let firstId: string | null = null;
    for (let request = 0; request < 20; request++) {
      const response = await sdk.getConversationMessages('erin', renderId(id, 'uuid'), firstId, 20);
      expect(response.status).toBe(200);
      expectSchema('dify-reference', 'ConversationHistoryResponse', response.data);
      pages.push(response.data);
      if (!response.data.has_more) break;
      firstId = response.data.data[0].id;
    }
    // 12 full pages and one of 10, newest page first, each oldest to newest.
    expect(pages.map((p) => p.data.length)).toEqual([...Array(12).fill(20), 10]);
    expect(pages.map((p) => p.has_more)).toEqual([...Array(12).fill(true), false]);
    const turns = pages.reverse().flatMap((p) => p.data);
    expect(turns.map((m: any) => m.query)).toEqual(Array.from({ length: 250 }, (_, i) => `q${i}`));
    expect(turns.map((m: any) => m.answer)).toEqual(Array.from({ length: 250 }, (_, i) => `a${i}`));
    expect(new Set(turns.map((m: any) => m.id)).size).toBe(250);
    // Each turn's parent is the one before it, across page boundaries too.
    expect(turns.map((m: any) => m.parent_message_id)).toEqual([
      null,
      ...turns.slice(0, -1).map((m: any) => m.id),
    ]);
  });

  it('getConversationMessages: an unknown conversation or first_id is 404 in Dify’s words', async () => {
    const { id } = await createConversation(t.url, carol, 'Short');
    await appendMessage(t.url, carol, id, 'user', 'Hello?');
    const unknown = await rejection(sdk.getConversationMessages('carol', UNKNOWN.uuid));
    expect(unknown.status).toBe(404);
    expect(unknown.data).toEqual({
      code: 'not_found',
      message: 'Conversation Not Exists.',
      status: 404,
    });
    const firstUnknown = await rejection(
      sdk.getConversationMessages('carol', renderId(id, 'uuid'), UNKNOWN.uuid),
    );
    expect(firstUnknown.status).toBe(404);
    expect(firstUnknown.data).toEqual({
      code: 'not_found',
      message: 'First Message Not Exists.',
      status: 404,
    });
    expect(examples.difyErrors.examples).toContainEqual(firstUnknown.data);
    // Another end user of the organization does not see carol's history.
    const other = await rejection(sdk.getConversationMessages('dave', renderId(id, 'uuid')));
    expect(other.status).toBe(404);
  });

  it('someone else’s conversation is 404 Conversation Not Exists., and a bad key 401', async () => {
    const { id } = await createConversation(t.url, carol, 'Carol’s');
    const uuid = renderId(id, 'uuid');
    const wrongUser = await rejection(sdk.renameConversation(uuid, 'Mine now', 'mallory'));
    expect(wrongUser.status).toBe(404);
    expect(wrongUser.data).toEqual({
      code: 'not_found',
      message: 'Conversation Not Exists.',
      status: 404,
    });
    const stranger = difySdk(await t.key('globex', 'carol'));
    expect((await rejection(stranger.deleteConversation(uuid, 'carol'))).status).toBe(404);

    const badKey = difySdk('app-not-a-key');
    const unauthorized = await rejection(badKey.getConversations('carol'));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.data).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(unauthorized.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(await getConversation(t.url, carol, id)).toMatchObject({ title: 'Carol’s', version: 1 });
  });
});

describe('openapi-fetch, typed by openapi-typescript from the Florent seeds', () => {
  type Conversation = components['schemas']['FlorentConversation'];
  type ErrorResponse = components['schemas']['ErrorResponse'];

  it('the committed types are what openapi-typescript makes of the seed specs', async () => {
    const committed = readFileSync(path.join(FIXTURES, 'florent-api.d.ts'), 'utf8');
    expect(committed, 'regenerate: npx tsx test/fixtures/generate.ts').toBe(await florentTypes());
  });

  it('POST /florent/conversations, then PATCH /florent/conversations/{id}', async () => {
    // The seed's server url is /api.
    const client = createClient<paths>({ baseUrl: `${t.url}/api` });
    const auth = { Authorization: `Bearer ${alice}` };

    const created = await client.POST('/florent/conversations', {
      params: { header: auth },
      body: { title: 'Kitchen remodel', userDisplay: 'Alice', timezone: 'America/New_York' },
    });
    expect(created.response.status).toBe(201);
    expect(created.error).toBeUndefined();
    expectTypeOf(created.data).toEqualTypeOf<
      components['schemas']['FlorentConversationResponse'] | undefined
    >();
    const conversation: Conversation = created.data!.conversation;
    expectSchema('florent', 'FlorentConversationResponse', created.data);
    expect(conversation).toMatchObject({
      title: 'Kitchen remodel',
      messageCount: 0,
      lastMessageAt: null,
    });
    expect(conversation._id).toMatch(ULID);
    expect(conversation.createdAt).toMatch(ISO);

    await appendMessage(t.url, alice, conversation._id, 'user', 'Budget is 20k.');

    const renamed = await client.PATCH('/florent/conversations/{id}', {
      params: { header: auth, path: { id: conversation._id } },
      body: { title: 'Kitchen remodel, 20k' },
    });
    expect(renamed.response.status).toBe(200);
    expectTypeOf(renamed.data).toEqualTypeOf<
      components['schemas']['FlorentConversationResponse'] | undefined
    >();
    expectSchema('florent', 'FlorentConversationResponse', renamed.data);
    const after: Conversation = renamed.data!.conversation;
    expect(after).toMatchObject({
      _id: conversation._id,
      userId: conversation.userId,
      title: 'Kitchen remodel, 20k',
      messageCount: 1,
      createdAt: conversation.createdAt,
    });
    expect(after.lastMessageAt).toMatch(ISO);
    expect(await getConversation(t.url, alice, conversation._id)).toMatchObject({
      title: 'Kitchen remodel, 20k',
      version: 2,
    });

    // With no body at all, the create the seed documents with `{}` still works.
    const bare = await client.POST('/florent/conversations', { params: { header: auth } });
    expect(bare.response.status).toBe(201);
    expectSchema('florent', 'FlorentConversationResponse', bare.data);
  });

  it('errors arrive typed as the seed’s ErrorResponse', async () => {
    const client = createClient<paths>({ baseUrl: `${t.url}/api` });
    const auth = { Authorization: `Bearer ${alice}` };

    const missing = await client.PATCH('/florent/conversations/{id}', {
      params: { header: auth, path: { id: UNKNOWN.ulid } },
      body: { title: 'x' },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.data).toBeUndefined();
    expectTypeOf(missing.error).toEqualTypeOf<ErrorResponse | undefined>();
    expect(missing.error).toEqual({ error: 'not_found' });

    const { id } = await createConversation(t.url, alice, 'Keep');
    const invalid = await client.PATCH('/florent/conversations/{id}', {
      params: { header: auth, path: { id } },
      body: { title: '' },
    });
    expect(invalid.response.status).toBe(400);
    expectSchema('florent', 'ErrorResponse', invalid.error);
    expect(invalid.error?.error).toBe('invalid_body');
    expect(invalid.error?.issues?.length).toBeGreaterThan(0);

    const unauthorized = await client.POST('/florent/conversations', {
      params: { header: { Authorization: 'Bearer nope' } },
      body: {},
    });
    expect(unauthorized.response.status).toBe(401);
    expect(unauthorized.error).toEqual({ error: 'unauthorized' });
  });
});

describe('orq.ai with plain fetch, against its documented shapes', () => {
  let key: string;
  const orq = (method: string, route: string, body?: unknown, headers?: Record<string, string>) =>
    call(t.url, method, `/v2/conversations${route}`, { key, body, ...(headers && { headers }) });

  beforeAll(async () => {
    key = await t.key('acme', 'orq-user');
  });

  it('POST creates (201, default displayName "Untitled"); GET reads it back', async () => {
    const untitled = await orq('POST', '', {});
    expect(untitled.status).toBe(201);
    expectSchema('orq', 'Conversation', untitled.body);
    expect(untitled.body).toMatchObject({ kind: 'conversation', displayName: 'Untitled' });
    expect(untitled.body._id).toMatch(ORQ_ID);
    expectNow(untitled.body.createdAt, 'ms', 'createdAt');
    expect(untitled.body.updatedAt).toBe(untitled.body.createdAt);

    const named = await orq('POST', '', { displayName: 'Support ticket 4411' });
    expect(named.status).toBe(201);
    expect(named.body.displayName).toBe('Support ticket 4411');

    const got = await orq('GET', `/${named.body._id}`);
    expect(got.status).toBe(200);
    expectSchema('orq', 'Conversation', got.body);
    expect(got.body).toEqual(named.body);
    // The same conversation through the other faces' ids.
    const ulid = named.body._id.slice('conv_'.length).toUpperCase();
    expect((await getConversation(t.url, key, ulid))?.title).toBe('Support ticket 4411');
    expect((await orq('GET', `/${UNKNOWN.orq}`)).status).toBe(404);
  });

  it('GET lists newest first, { object: "list", data, has_more }, with limit and both cursors', async () => {
    key = await t.key('acme', 'orq-lister');
    const ids: string[] = [];
    for (const name of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      ids.push((await orq('POST', '', { displayName: name })).body._id);
    }
    const names = (response: any) => response.body.data.map((c: any) => c.displayName);
    const page = async (query: string) => {
      const response = await orq('GET', `?${query}`);
      expect(response.status, query).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(['data', 'has_more', 'object']);
      expect(response.body.object).toBe('list');
      for (const c of response.body.data) expectSchema('orq', 'Conversation', c, query);
      return response;
    };

    const all = await page('');
    expect(names(all)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    expect(all.body.has_more).toBe(false);

    const first = await page('limit=2');
    expect([names(first), first.body.has_more]).toEqual([['c5', 'c4'], true]);
    const second = await page(`limit=2&starting_after=${ids[3]}`);
    expect([names(second), second.body.has_more]).toEqual([['c3', 'c2'], true]);
    const third = await page(`limit=2&starting_after=${ids[1]}`);
    expect([names(third), third.body.has_more]).toEqual([['c1'], false]);

    const back = await page(`limit=2&ending_before=${ids[1]}`);
    expect([names(back), back.body.has_more]).toEqual([['c4', 'c3'], true]);
    const front = await page(`limit=2&ending_before=${ids[3]}`);
    expect([names(front), front.body.has_more]).toEqual([['c5'], false]);

    // limit defaults to 10, and bounds are 1-100.
    for (let i = 6; i <= 11; i++) await orq('POST', '', { displayName: `c${i}` });
    const defaults = await page('');
    expect(defaults.body.data).toHaveLength(10);
    expect(defaults.body.has_more).toBe(true);
    expect((await page('limit=100')).body.data).toHaveLength(11);
    expect((await page('limit=1')).body.data).toHaveLength(1);
  });

  it('PATCH changes only the fields given', async () => {
    const created = (await orq('POST', '', { displayName: 'Original' })).body;
    const id: string = created._id;

    const nothing = await orq('PATCH', `/${id}`, {});
    expect(nothing.status).toBe(200);
    expectSchema('orq', 'Conversation', nothing.body);
    expect(nothing.body).toEqual(created);
    expect(nothing.headers.get('etag')).toBe('"1"');

    const renamed = await orq('PATCH', `/${id}`, { displayName: 'Renamed' });
    expect(renamed.status).toBe(200);
    expectSchema('orq', 'Conversation', renamed.body);
    expect(renamed.body).toMatchObject({
      _id: id,
      displayName: 'Renamed',
      createdAt: created.createdAt,
    });
    expect(renamed.body.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);
    expect(renamed.headers.get('etag')).toBe('"2"');

    const unchanged = await orq('PATCH', `/${id}`, {});
    expect(unchanged.body).toEqual(renamed.body);

    for (const displayName of ['', 'x'.repeat(101)]) {
      const invalid = await orq('PATCH', `/${id}`, { displayName });
      expect(invalid.status).toBe(400);
      expectSchema('orq', 'ErrorResponse', invalid.body);
    }
    expect((await orq('GET', `/${id}`)).body.displayName).toBe('Renamed');
  });

  it('PATCH keeps within the documented 1 - 100 characters (stricter is allowed, looser not)', async () => {
    const id: string = (await orq('POST', '', {})).body._id;
    // 100 user-perceived characters, but 200 code points and 400 UTF-16 units.
    const displayName = '👍🏽'.repeat(100);
    const response = await orq('PATCH', `/${id}`, { displayName });
    if (response.status === 200) expectSchema('orq', 'Conversation', response.body);
    else expectSchema('orq', 'ErrorResponse', response.body);
  });

  it('DELETE is 204 with no body; then the conversation is 404 { message }', async () => {
    const id: string = (await orq('POST', '', { displayName: 'Short-lived' })).body._id;
    const deleted = await orq('DELETE', `/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { displayName: 'Back?' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await orq(method, `/${id}`, body);
      expect(response.status, method).toBe(404);
      expectSchema('orq', 'ErrorResponse', response.body);
      expect(response.body.message).toMatch(/^Conversation not found/);
    }
  });

  it('POST /{id}/generate-name names it from the first user message', async () => {
    const created = (await orq('POST', '', {})).body;
    const id: string = created._id;
    const empty = await orq('POST', `/${id}/generate-name`);
    expect(empty.status).toBe(400);
    expectSchema('orq', 'ErrorResponse', empty.body);

    const ulid = id.slice('conv_'.length).toUpperCase();
    await appendMessage(t.url, key, ulid, 'user', '  “Plan a 3-day trip to Kyoto”  ');
    const named = await orq('POST', `/${id}/generate-name`);
    expect(named.status).toBe(200);
    expectSchema('orq', 'Conversation', named.body);
    expect(named.body).toMatchObject({ _id: id, displayName: 'Plan a 3-day trip to Kyoto' });
    expect(await getConversation(t.url, key, ulid)).toMatchObject({
      title: 'Plan a 3-day trip to Kyoto',
      titleSource: 'generated',
    });
  });
});
