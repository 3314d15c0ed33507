/**
 * Every seed document's own example request, sent to Parley, answers the status the seed
 * documents with a body that validates against the seed's response schema (copied into
 * test/fixtures/seeds); every face's errors validate against that vendor's error schema.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';
import { deriveFixtures, SEED_FILES, VENDOR_DOCS_DIR } from '../fixtures/generate.ts';
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
  schemaErrors,
  ULID,
  UNKNOWN,
  UUID_V7,
} from './schemas.ts';

let t: TestApp;
/** acme/alice: the caller of most requests. */
let alice: string;
/** acme/bob: same organization, another user. */
let bob: string;
/** globex/eve: another organization. */
let eve: string;

beforeAll(async () => {
  t = await startTestApp();
  alice = await t.key('acme', 'alice');
  bob = await t.key('acme', 'bob');
  eve = await t.key('globex', 'eve');
});
afterAll(() => t.close());

const pathOf = (template: string, id: string) => template.replace(/\{[a-z_]+\}/, id);

describe('the fixtures', () => {
  it('accept the seeds’ own example requests and responses', () => {
    expectSchema('florent', 'FlorentConversationResponse', examples.florentRename.response);
    expectSchema('florent', 'FlorentConversationResponse', examples.florentCreate.response);
    expectSchema('orq', 'UpdateConversationRequest', examples.orqUpdate.request);
    expectSchema('orq', 'Conversation', examples.orqUpdate.response);
    expectSchema('rag', 'UpdateConversationRequest', examples.ragUpdate.request);
    expectSchema('rag', 'Conversation', examples.ragUpdate.response);
    expectSchema('dify', 'ConversationRenameRequest', examples.difyRename.request);
    expectSchema('dify', 'ConversationRenameResponse', examples.difyRename.response);
    expectSchema('dify-reference', 'ConversationListItem', examples.difyRename.response);
    expectSchema('dify-reference', 'ConversationsListResponse', examples.difyList.response);
    expectSchema('dify-reference', 'ConversationHistoryResponse', examples.difyMessages.response);
    for (const error of examples.difyErrors.examples) {
      expectSchema('dify-reference', 'ErrorResponse', error);
    }
  });

  it('reject what the seeds rule out', () => {
    const conversation = examples.florentRename.response.conversation;
    const noLastMessageAt = { ...conversation };
    delete noLastMessageAt.lastMessageAt;
    expect(
      schemaErrors('florent', 'FlorentConversationResponse', { conversation: noLastMessageAt }),
    ).not.toBeNull();
    expect(schemaErrors('florent', 'ErrorResponse', { message: 'x' })).not.toBeNull();
    const orq = examples.orqUpdate.response;
    expect(schemaErrors('orq', 'Conversation', { ...orq, createdAt: '2024-01-01' })).not.toBeNull();
    expect(schemaErrors('orq', 'Conversation', { ...orq, createdAt: 1.5 })).not.toBeNull();
    expect(
      schemaErrors('orq', 'Conversation', { ...orq, _id: '01kbmyap3vzc6mtbwbdqtegan2' }),
    ).not.toBeNull();
    expect(
      schemaErrors('orq', 'Conversation', { ...orq, displayName: 'x'.repeat(101) }),
    ).not.toBeNull();
    expect(schemaErrors('orq', 'UpdateConversationRequest', { displayName: '' })).not.toBeNull();
    const rag = examples.ragUpdate.response;
    expect(schemaErrors('rag', 'Conversation', { ...rag, created_at: 123 })).not.toBeNull();
    expect(schemaErrors('rag', 'Conversation', { ...rag, updated_at: 'yesterday' })).not.toBeNull();
    expect(schemaErrors('rag', 'UpdateConversationRequest', { title: '' })).not.toBeNull();
    const dify = examples.difyRename.response;
    expect(schemaErrors('dify', 'ConversationListItem', { ...dify, id: 'conv_1' })).not.toBeNull();
    expect(
      schemaErrors('dify', 'ConversationListItem', { ...dify, introduction: null }),
    ).toBeNull();
    expect(
      schemaErrors('dify', 'ConversationListItem', { ...dify, created_at: 1.5 }),
    ).not.toBeNull();
    expect(
      schemaErrors('dify-reference', 'ErrorResponse', { code: 'x', message: 'y' }),
    ).not.toBeNull();
    expect(
      schemaErrors('fastapi', 'HTTPValidationError', { detail: [{ msg: 'x' }] }),
    ).not.toBeNull();
    expect(schemaErrors('fastapi', 'HTTPException', { detail: [] })).not.toBeNull();
  });

  it('are the seeds’ schemas (regenerating them changes nothing)', async () => {
    for (const [name, text] of Object.entries(await deriveFixtures())) {
      const committed = readFileSync(path.join(FIXTURES, name), 'utf8');
      expect(committed, `test/fixtures/${name}: run npx tsx test/fixtures/generate.ts`).toBe(text);
    }
  });

  it('hold the seeds’ examples verbatim', () => {
    const squeeze = (s: string) => s.replace(/\s+/g, '');
    const exchanges = Object.values(examples).filter((e: any) => e && typeof e === 'object');
    for (const exchange of exchanges as any[]) {
      const files = Object.values(SEED_FILES).filter((f) => String(exchange.seed).includes(f));
      expect(files.length, String(exchange.seed)).toBeGreaterThan(0);
      const text = squeeze(
        files.map((f) => readFileSync(path.join(VENDOR_DOCS_DIR, f), 'utf8')).join(),
      );
      for (const part of [exchange.request, exchange.response, ...(exchange.examples ?? [])]) {
        if (part === undefined) continue;
        expect(text.includes(squeeze(JSON.stringify(part))), JSON.stringify(part)).toBe(true);
      }
    }
  });
});

describe('each seed’s example request, sent to Parley', () => {
  it('001 Florent create: 201, FlorentConversationResponse', async () => {
    const { method, path: route, request, status } = examples.florentCreate;
    const response = await call(t.url, method, route, { key: alice, body: request });
    expect(response.status).toBe(status);
    expect(response.status).toBe(201);
    expectSchema('florent', 'FlorentConversationResponse', response.body);
    // Wire-exact: the seed's fields, no others, in the seed's formats.
    const c = response.body.conversation;
    expect(Object.keys(response.body)).toEqual(['conversation']);
    expect(Object.keys(c).sort()).toEqual(
      Object.keys(examples.florentCreate.response.conversation).sort(),
    );
    expect(c._id).toMatch(ULID);
    expect(c.lastMessageAt).toBeNull();
    expect(c.messageCount).toBe(0);
    expect(c.createdAt).toMatch(ISO);
    expect(c.updatedAt).toMatch(ISO);
    expect(typeof c.title === 'string' && c.title.length > 0).toBe(true);
    expect(response.headers.get('etag')).toBe('"1"');
    expect((await getConversation(t.url, alice, c._id))?.title).toBe(c.title);
  });

  it('000 Florent rename: 200, FlorentConversationResponse', async () => {
    const created = await call(t.url, 'POST', '/api/florent/conversations', {
      key: alice,
      body: { title: 'Before', userDisplay: 'Alice A.', timezone: 'Europe/Paris' },
    });
    expect(created.status).toBe(201);
    expectSchema('florent', 'FlorentConversationResponse', created.body);
    const id: string = created.body.conversation._id;
    await appendMessage(t.url, alice, id, 'user', 'What should Q3 focus on?');
    await appendMessage(t.url, alice, id, 'assistant', 'Retention, then acquisition.');

    const { method, path: route, request, status } = examples.florentRename;
    const response = await call(t.url, method, pathOf(route, id), { key: alice, body: request });
    expect(response.status).toBe(status);
    expect(response.status).toBe(200);
    expectSchema('florent', 'FlorentConversationResponse', response.body);
    const c = response.body.conversation;
    expect(Object.keys(c).sort()).toEqual(
      Object.keys(examples.florentRename.response.conversation).sort(),
    );
    expect(c).toMatchObject({ _id: id, title: request.title, messageCount: 2 });
    expect(c.lastMessageAt).toMatch(ISO);
    expect(c.createdAt).toBe(created.body.conversation.createdAt);
    expect(Date.parse(c.updatedAt)).toBeGreaterThanOrEqual(Date.parse(c.createdAt));
    expect(response.headers.get('etag')).toBe('"2"');
    expect(await getConversation(t.url, alice, id)).toMatchObject({
      title: request.title,
      version: 2,
    });
  });

  it('002 orq.ai update: 200, the conversation object', async () => {
    const created = await call(t.url, 'POST', '/v2/conversations', { key: alice, body: {} });
    expect(created.status).toBe(201);
    expectSchema('orq', 'Conversation', created.body);
    const id: string = created.body._id;

    const { method, path: route, request, status } = examples.orqUpdate;
    const response = await call(t.url, method, pathOf(route, id), { key: alice, body: request });
    expect(response.status).toBe(status);
    expect(response.status).toBe(200);
    expectSchema('orq', 'Conversation', response.body);
    expect(Object.keys(response.body).sort()).toEqual(
      Object.keys(examples.orqUpdate.response).sort(),
    );
    const c = response.body;
    expect(c).toMatchObject({ kind: 'conversation', _id: id, displayName: request.displayName });
    // The seed: conv_ + a ULID (Parley renders it lower-case), times in unix milliseconds.
    expect(c._id).toMatch(ORQ_ID);
    expectNow(c.createdAt, 'ms', 'createdAt');
    expectNow(c.updatedAt, 'ms', 'updatedAt');
    expect(c.createdAt).toBe(created.body.createdAt);
    expect(c.updatedAt).toBeGreaterThanOrEqual(c.createdAt);
    expect(await getConversation(t.url, alice, id)).toMatchObject({
      title: request.displayName,
      version: 2,
    });
  });

  it('003 RAG update: 200, the conversation with its messages', async () => {
    const { id } = await createConversation(t.url, alice, 'Library questions');
    await appendMessage(t.url, alice, id, 'user', 'Which talks cover vector search?');
    await appendMessage(t.url, alice, id, 'assistant', 'Two: the March and the June ones.');

    const { method, path: route, request, status } = examples.ragUpdate;
    const response = await call(t.url, method, pathOf(route, id), { key: alice, body: request });
    expect(response.status).toBe(status);
    expect(response.status).toBe(200);
    expectSchema('rag', 'Conversation', response.body);
    const c = response.body;
    expect(Object.keys(c).sort()).toEqual(['created_at', 'id', 'messages', 'title', 'updated_at']);
    expect(c).toMatchObject({ id, title: request.title });
    expect(c.created_at).toMatch(ISO);
    expect(c.updated_at).toMatch(ISO);
    expect(c.messages).toMatchObject([
      { role: 'user', content: 'Which talks cover vector search?' },
      { role: 'assistant', content: 'Two: the March and the June ones.' },
    ]);
    for (const m of c.messages) expect(m.timestamp).toMatch(ISO);
    expect(await getConversation(t.url, alice, id)).toMatchObject({
      title: request.title,
      version: 2,
    });
  });

  it('004 Dify rename: 200, ConversationListItem (the example’s user is an end user of the org)', async () => {
    // The example names end user "abc-123"; here that is a user of the key's organization.
    const endUser = await t.key('acme', examples.difyRename.request.user);
    const { id } = await createConversation(t.url, endUser, 'Phone chat');
    const uuid = renderId(id, 'uuid');

    const { method, path: route, request, status } = examples.difyRename;
    const response = await call(t.url, method, pathOf(route, uuid), { key: alice, body: request });
    expect(response.status).toBe(status);
    expect(response.status).toBe(200);
    expectSchema('dify', 'ConversationRenameResponse', response.body);
    expectSchema('dify-reference', 'ConversationListItem', response.body);
    const c = response.body;
    expect(Object.keys(c).sort()).toEqual(Object.keys(examples.difyRename.response).sort());
    expect(c).toMatchObject({ id: uuid, name: request.name, status: 'normal' });
    expect(c.id).toMatch(UUID_V7);
    expectNow(c.created_at, 's', 'created_at');
    expectNow(c.updated_at, 's', 'updated_at');
    expect(await getConversation(t.url, endUser, id)).toMatchObject({
      title: request.name,
      version: 2,
    });
  });

  it('Dify list (reference): 200, ConversationsListResponse', async () => {
    const endUser = examples.difyRename.request.user;
    const response = await call(
      t.url,
      'GET',
      `/v1/conversations?user=${encodeURIComponent(endUser)}`,
      { key: alice },
    );
    expect(response.status).toBe(examples.difyList.status);
    expectSchema('dify-reference', 'ConversationsListResponse', response.body);
    for (const item of response.body.data) expectSchema('dify', 'ConversationListItem', item);
    expect(Object.keys(response.body).sort()).toEqual(['data', 'has_more', 'limit']);
    expect(response.body).toMatchObject({ limit: 20, has_more: false });
    expect(response.body.data.map((c: any) => c.name)).toEqual([examples.difyRename.request.name]);
  });

  it('Dify messages (reference): 200, ConversationHistoryResponse', async () => {
    const endUser = await t.key('acme', 'history-user');
    const { id } = await createConversation(t.url, endUser, 'iPhone Specs Chat');
    const [turn] = examples.difyMessages.response.data;
    await appendMessage(t.url, endUser, id, 'user', turn.query);
    await appendMessage(t.url, endUser, id, 'assistant', turn.answer);
    const { method, path: route, status } = examples.difyMessages;
    const response = await call(
      t.url,
      method,
      `${route}?conversation_id=${renderId(id, 'uuid')}&user=history-user`,
      { key: alice },
    );
    expect(response.status).toBe(status);
    expectSchema('dify-reference', 'ConversationHistoryResponse', response.body);
    expect(Object.keys(response.body).sort()).toEqual(['data', 'has_more', 'limit']);
    expect(response.body).toMatchObject({ limit: 20, has_more: false });
    const [item] = response.body.data;
    expectSchema('dify-reference', 'ConversationMessageItem', item);
    // The example's fields that Parley has, as the example shows them.
    expect(item).toMatchObject({
      conversation_id: renderId(id, 'uuid'),
      parent_message_id: turn.parent_message_id,
      query: turn.query,
      answer: turn.answer,
      status: turn.status,
      error: turn.error,
      message_files: [],
      retriever_resources: [],
      agent_thoughts: [],
    });
    expect(item.id).toMatch(UUID_V7);
    expectNow(item.created_at, 's', 'created_at');
  });

  it('Dify delete (reference): 204, no body', async () => {
    const endUser = await t.key('acme', examples.difyDelete.request.user);
    const { id } = await createConversation(t.url, endUser, 'To delete');
    const { method, path: route, request, status } = examples.difyDelete;
    const response = await call(t.url, method, pathOf(route, renderId(id, 'uuid')), {
      key: alice,
      body: request,
    });
    expect(response.status).toBe(status);
    expect(response.body).toBeUndefined();
    expect(await getConversation(t.url, endUser, id)).toBeNull();
  });
});

/** One face's error cases: how to reach its rename, and its error schema per status. */
interface FaceCase {
  name: string;
  rename(id: string): { method: string; path: string; body: unknown };
  render(ulid: string): string;
  unknownId: string;
  errorSchema(status: number): ['florent' | 'orq' | 'fastapi' | 'dify-reference', string];
  validationStatus: number;
  invalidBodies: unknown[];
}

const FACES: FaceCase[] = [
  {
    name: 'Florent',
    rename: (id) => ({
      method: 'PATCH',
      path: `/api/florent/conversations/${id}`,
      body: { title: 'T' },
    }),
    render: (id) => renderId(id, 'ulid'),
    unknownId: UNKNOWN.ulid,
    errorSchema: () => ['florent', 'ErrorResponse'],
    validationStatus: 400,
    invalidBodies: [{}, { title: '' }, { title: '   ' }, { title: 42 }, { title: 'x'.repeat(101) }],
  },
  {
    name: 'orq.ai',
    rename: (id) => ({
      method: 'PATCH',
      path: `/v2/conversations/${id}`,
      body: { displayName: 'T' },
    }),
    render: (id) => renderId(id, 'orq'),
    unknownId: UNKNOWN.orq,
    errorSchema: () => ['orq', 'ErrorResponse'],
    validationStatus: 400,
    invalidBodies: [{ displayName: '' }, { displayName: 42 }, { displayName: 'x'.repeat(101) }],
  },
  {
    name: 'RAG',
    rename: (id) => ({ method: 'PATCH', path: `/api/conversations/${id}`, body: { title: 'T' } }),
    render: (id) => renderId(id, 'ulid'),
    unknownId: UNKNOWN.ulid,
    errorSchema: (status) =>
      status === 422 ? ['fastapi', 'HTTPValidationError'] : ['fastapi', 'HTTPException'],
    validationStatus: 422,
    invalidBodies: [{}, { title: '' }, { title: 42 }, 'not an object'],
  },
  {
    name: 'Dify',
    rename: (id) => ({
      method: 'POST',
      path: `/v1/conversations/${id}/name`,
      body: { name: 'T', user: 'alice' },
    }),
    render: (id) => renderId(id, 'uuid'),
    unknownId: UNKNOWN.uuid,
    errorSchema: () => ['dify-reference', 'ErrorResponse'],
    validationStatus: 400,
    invalidBodies: [
      { name: 'T' },
      { name: '', user: 'alice' },
      { name: '  ', user: 'alice', auto_generate: false },
      { user: 'alice' },
      { name: 42, user: 'alice' },
      { name: 'T', user: 'alice', auto_generate: 'yes' },
    ],
  },
];

describe.each(FACES)('$name errors, in the vendor’s error schema', (face) => {
  const expectError = (
    response: Awaited<ReturnType<typeof call>>,
    status: number,
    label: string,
  ) => {
    expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const [file, def] = face.errorSchema(status);
    expectSchema(file, def, response.body, label);
    if (face.name === 'Dify') expect(response.body.status).toBe(status);
  };

  it('401 without credentials and with bad ones', async () => {
    const { id } = await createConversation(t.url, alice, 'Auth');
    const r = face.rename(face.render(id));
    const missing = await call(t.url, r.method, r.path, { body: r.body });
    expectError(missing, 401, 'no credentials');
    const bad = await call(t.url, r.method, r.path, { body: r.body, key: 'pk_not_a_real_key' });
    expectError(bad, 401, 'bad credentials');
    const basic = await call(t.url, r.method, r.path, {
      body: r.body,
      headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' },
    });
    expectError(basic, 401, 'not a bearer token');
    if (face.name === 'Dify') {
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      expect(missing.body).toMatchObject({ code: 'unauthorized', status: 401 });
    }
    if (face.name === 'Florent') expect(missing.body).toEqual({ error: 'unauthorized' });
    if (face.name === 'RAG') expect(typeof missing.body.detail).toBe('string');
    expect((await getConversation(t.url, alice, id))?.version).toBe(1);
  });

  it('404, identical for an unknown, a malformed and someone else’s id', async () => {
    const { id: bobs } = await createConversation(t.url, bob, 'Bob’s');
    const { id: eves } = await createConversation(t.url, eve, 'Eve’s');
    const bodies: unknown[] = [];
    for (const [label, target] of [
      ['unknown', face.unknownId],
      ['malformed', 'not-an-id'],
      [
        'malformed, in another face’s rendering',
        face.unknownId === UNKNOWN.uuid ? 'conv_x' : '0-0',
      ],
      ['same org, other user', face.render(bobs)],
      ['other org', face.render(eves)],
    ] as const) {
      const r = face.rename(target);
      const response = await call(t.url, r.method, r.path, { key: alice, body: r.body });
      expectError(response, 404, label);
      bodies.push(response.body);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size, JSON.stringify(bodies)).toBe(1);
    if (face.name === 'Florent') expect(bodies[0]).toEqual({ error: 'not_found' });
    if (face.name === 'orq.ai')
      expect((bodies[0] as any).message).toMatch(/^Conversation not found/);
    if (face.name === 'RAG') expect(bodies[0]).toEqual({ detail: 'Conversation not found' });
    if (face.name === 'Dify') {
      expect(bodies[0]).toEqual({
        code: 'not_found',
        message: 'Conversation Not Exists.',
        status: 404,
      });
    }
    expect((await getConversation(t.url, bob, bobs))?.title).toBe('Bob’s');
    expect((await getConversation(t.url, eve, eves))?.title).toBe('Eve’s');
  });

  it('404 for an over-long id too, like any malformed id (not a validation error)', async () => {
    for (const target of ['x'.repeat(65), '0'.repeat(300)]) {
      const r = face.rename(target);
      const response = await call(t.url, r.method, r.path, { key: alice, body: r.body });
      expectError(response, 404, `${target.length}-character id`);
    }
  });

  it(`validation errors, and malformed JSON`, async () => {
    const { id } = await createConversation(t.url, alice, 'Validation');
    const r = face.rename(face.render(id));
    for (const body of face.invalidBodies) {
      const response = await call(t.url, r.method, r.path, { key: alice, body });
      expectError(response, face.validationStatus, JSON.stringify(body));
    }
    const malformed = await call(t.url, r.method, r.path, {
      key: alice,
      rawBody: '{"title": ',
      headers: { 'content-type': 'application/json' },
    });
    expectError(malformed, face.validationStatus, 'malformed JSON');
    if (face.name === 'Florent') expect(malformed.body.error).toBe('invalid_body');
    if (face.name === 'Dify') expect(malformed.body.code).toBe('invalid_param');
    expect(await getConversation(t.url, alice, id)).toMatchObject({
      title: 'Validation',
      version: 1,
    });
  });

  it('412 on a stale If-Match, the conversation unchanged; a current one renames', async () => {
    const { id } = await createConversation(t.url, alice, 'Versioned');
    const r = face.rename(face.render(id));
    const stale = await call(t.url, r.method, r.path, {
      key: alice,
      body: r.body,
      headers: { 'if-match': '"7"' },
    });
    expectError(stale, 412, 'stale If-Match');
    expect(await getConversation(t.url, alice, id)).toMatchObject({
      title: 'Versioned',
      version: 1,
    });
    const current = await call(t.url, r.method, r.path, {
      key: alice,
      body: r.body,
      headers: { 'if-match': '"1"' },
    });
    expect(current.status).toBe(200);
    expect(current.headers.get('etag')).toBe('"2"');
  });
});

describe('error bodies exactly as each vendor words them', () => {
  it('Florent: invalid_body with issues', async () => {
    const { id } = await createConversation(t.url, alice, 'F');
    const response = await call(t.url, 'PATCH', `/api/florent/conversations/${id}`, {
      key: alice,
      body: { title: '' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_body');
    expect(Array.isArray(response.body.issues) && response.body.issues.length > 0).toBe(true);
    const create = await call(t.url, 'POST', '/api/florent/conversations', {
      key: alice,
      body: { timezone: 'Mars/Olympus_Mons' },
    });
    expect(create.status).toBe(400);
    expectSchema('florent', 'ErrorResponse', create.body);
    expect(create.body.error).toBe('invalid_body');
  });

  it('RAG: pydantic’s error types for a missing and a mistyped title', async () => {
    const { id } = await createConversation(t.url, alice, 'R');
    const patch = (body: unknown) =>
      call(t.url, 'PATCH', `/api/conversations/${id}`, { key: alice, body });
    const missing = await patch({});
    expect(missing.status).toBe(422);
    expectSchema('fastapi', 'HTTPValidationError', missing.body);
    expect(missing.body.detail).toMatchObject([
      { type: 'missing', loc: ['body', 'title'], msg: 'Field required' },
    ]);
    const mistyped = await patch({ title: 42 });
    expect(mistyped.status).toBe(422);
    expect(mistyped.body.detail).toMatchObject([
      {
        type: 'string_type',
        loc: ['body', 'title'],
        msg: 'Input should be a valid string',
        input: 42,
      },
    ]);
  });

  it('RAG: the seed’s "Minimum string length: 1" fails as pydantic reports it', async () => {
    const { id } = await createConversation(t.url, alice, 'R');
    const patch = (body: unknown) =>
      call(t.url, 'PATCH', `/api/conversations/${id}`, { key: alice, body });
    // A FastAPI app with `title: str = Field(min_length=1)` answers exactly this for "".
    const empty = await patch({ title: '' });
    expect(empty.status).toBe(422);
    expect(empty.body).toEqual({
      detail: [
        {
          type: 'string_too_short',
          loc: ['body', 'title'],
          msg: 'String should have at least 1 character',
          input: '',
          ctx: { min_length: 1 },
        },
      ],
    });
    // And for a missing field, pydantic's `input` is the object the field is missing from.
    const missing = await patch({});
    expect(missing.body).toEqual({
      detail: [{ type: 'missing', loc: ['body', 'title'], msg: 'Field required', input: {} }],
    });
  });

  it('RAG: every body pydantic v2 refuses, refused with pydantic’s own type, loc, msg and input', async () => {
    const { id } = await createConversation(t.url, alice, 'R');
    const patch = (rawBody: string | undefined) =>
      call(t.url, 'PATCH', `/api/conversations/${id}`, {
        key: alice,
        ...(rawBody !== undefined && { rawBody, headers: { 'content-type': 'application/json' } }),
      });
    // What a FastAPI app with `class Update(BaseModel): title: str = Field(min_length=1)` answers.
    const cases: [string | undefined, unknown][] = [
      [
        '{"title": null}',
        {
          type: 'string_type',
          loc: ['body', 'title'],
          msg: 'Input should be a valid string',
          input: null,
        },
      ],
      [
        '{"title": 5}',
        {
          type: 'string_type',
          loc: ['body', 'title'],
          msg: 'Input should be a valid string',
          input: 5,
        },
      ],
      [
        '{"title": ""}',
        {
          type: 'string_too_short',
          loc: ['body', 'title'],
          msg: 'String should have at least 1 character',
          input: '',
          ctx: { min_length: 1 },
        },
      ],
      [
        '{"name": "x"}',
        { type: 'missing', loc: ['body', 'title'], msg: 'Field required', input: { name: 'x' } },
      ],
      [
        '"a title"',
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: 'a title',
        },
      ],
      [
        '[{"title": "x"}]',
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: [{ title: 'x' }],
        },
      ],
      // JSON null and no body at all are both a missing body to FastAPI.
      ['null', { type: 'missing', loc: ['body'], msg: 'Field required', input: null }],
      [undefined, { type: 'missing', loc: ['body'], msg: 'Field required', input: null }],
    ];
    for (const [rawBody, error] of cases) {
      const response = await patch(rawBody);
      expect(response.status, rawBody).toBe(422);
      expectSchema('fastapi', 'HTTPValidationError', response.body, rawBody);
      expect(response.body, rawBody).toEqual({ detail: [error] });
    }
    const malformed = await patch('{"title": ');
    expect(malformed.status).toBe(422);
    // Where Python's json module stops, and its message (FastAPI's loc and ctx.error).
    expect(malformed.body).toEqual({
      detail: [
        {
          type: 'json_invalid',
          loc: ['body', 10],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: 'Expecting value' },
        },
      ],
    });
    expect(await getConversation(t.url, alice, id)).toMatchObject({ title: 'R', version: 1 });
  });

  it('RAG: 401 says "Not authenticated" with WWW-Authenticate: Bearer', async () => {
    const response = await call(t.url, 'GET', `/api/conversations/${UNKNOWN.ulid}`);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ detail: 'Not authenticated' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('Dify: invalid_param for a blank name, a missing user, and auto_generate with no messages', async () => {
    const { id } = await createConversation(t.url, alice, 'D');
    const uuid = renderId(id, 'uuid');
    const rename = (body: unknown) =>
      call(t.url, 'POST', `/v1/conversations/${uuid}/name`, { key: alice, body });
    for (const body of [
      { name: '', user: 'alice' },
      { name: ' ', user: 'alice', auto_generate: false },
      { name: null, user: 'alice' },
      { name: 'x' },
      { auto_generate: true, user: 'alice' },
    ]) {
      const response = await rename(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body, JSON.stringify(body)).toMatchObject({
        code: 'invalid_param',
        status: 400,
      });
      expectSchema('dify-reference', 'ErrorResponse', response.body);
    }
    expect(await getConversation(t.url, alice, id)).toMatchObject({ title: 'D', version: 1 });
  });

  it('Dify: an unknown last_id is 404 "Last Conversation Not Exists."', async () => {
    const response = await call(
      t.url,
      'GET',
      `/v1/conversations?user=alice&last_id=${UNKNOWN.uuid}`,
      { key: alice },
    );
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      code: 'not_found',
      message: 'Last Conversation Not Exists.',
      status: 404,
    });
    expect(examples.difyErrors.examples).toContainEqual(response.body);
  });

  it('Dify: a bad limit or sort_by is 400 invalid_param', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'sort_by=name']) {
      const response = await call(t.url, 'GET', `/v1/conversations?user=alice&${query}`, {
        key: alice,
      });
      expect(response.status, query).toBe(400);
      expect(response.body, query).toMatchObject({ code: 'invalid_param', status: 400 });
    }
  });

  it('orq.ai: a bad list limit is 400 { message }', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=ten']) {
      const response = await call(t.url, 'GET', `/v2/conversations?${query}`, { key: alice });
      expect(response.status, query).toBe(400);
      expectSchema('orq', 'ErrorResponse', response.body, query);
    }
  });
});
