/**
 * Failures read the same way on every face, each in its vendor's shape: someone else's id, an
 * unknown id and a malformed id are indistinguishable; bad credentials are 401; oversized and
 * malformed bodies are refused without touching stored data.
 */
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';

let t: TestApp;
let alice: string;
let eve: string;
let aliceId: string;

beforeAll(async () => {
  t = await startTestApp({ bodyLimit: '2kb' });
  alice = await t.key('acme', 'alice');
  eve = await t.key('evil', 'eve');
  const created = await call(t.url, 'POST', '/api/florent/conversations', {
    key: alice,
    body: { title: 'Private' },
  });
  aliceId = created.body.conversation._id;
});
afterAll(() => t.close());

const snapshot = () => t.database.db.conversation.findMany({ orderBy: { id: 'asc' } });

// Each face's routes that take an id, as [name, method, path(id), body].
const byId: [string, string, (id: string) => string, unknown][] = [
  ['Florent rename', 'PATCH', (id) => `/api/florent/conversations/${id}`, { title: 'x' }],
  ['orq get', 'GET', (id) => `/v2/conversations/${renderId(id, 'orq')}`, undefined],
  ['orq update', 'PATCH', (id) => `/v2/conversations/${renderId(id, 'orq')}`, { displayName: 'x' }],
  ['orq delete', 'DELETE', (id) => `/v2/conversations/${renderId(id, 'orq')}`, undefined],
  [
    'orq generate-name',
    'POST',
    (id) => `/v2/conversations/${renderId(id, 'orq')}/generate-name`,
    undefined,
  ],
  ['RAG get', 'GET', (id) => `/api/conversations/${id}`, undefined],
  ['RAG update', 'PATCH', (id) => `/api/conversations/${id}`, { title: 'x' }],
  [
    'Dify rename',
    'POST',
    (id) => `/v1/conversations/${renderId(id, 'uuid')}/name`,
    { name: 'x', user: 'eve' },
  ],
  ['Dify delete', 'DELETE', (id) => `/v1/conversations/${renderId(id, 'uuid')}`, { user: 'eve' }],
  ['OpenAI get', 'GET', (id) => `/openai/v1/conversations/${renderId(id, 'orq')}`, undefined],
  [
    'OpenAI update',
    'POST',
    (id) => `/openai/v1/conversations/${renderId(id, 'orq')}`,
    { metadata: { a: 'b' } },
  ],
  ['OpenAI delete', 'DELETE', (id) => `/openai/v1/conversations/${renderId(id, 'orq')}`, undefined],
  [
    'OpenAI items list',
    'GET',
    (id) => `/openai/v1/conversations/${renderId(id, 'orq')}/items`,
    undefined,
  ],
  [
    'OpenAI items create',
    'POST',
    (id) => `/openai/v1/conversations/${renderId(id, 'orq')}/items`,
    { items: [{ role: 'user', content: 'x' }] },
  ],
];

const UNKNOWN = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('not found looks the same whatever the reason', () => {
  it.each(byId)('%s', async (_name, method, path, body) => {
    const before = await snapshot();
    const foreign = await call(t.url, method, path(aliceId), { key: eve, body });
    const unknown = await call(t.url, method, path(UNKNOWN), { key: eve, body });
    const malformed = await call(
      t.url,
      method,
      path(UNKNOWN).replace(/[^/]+(\/name|\/generate-name|\/items)?$/, 'not-an-id$1'),
      {
        key: eve,
        body,
      },
    );
    expect(foreign.status).toBe(404);
    expect(unknown).toEqual({ ...foreign, headers: unknown.headers });
    expect(malformed.status).toBe(404);
    expect(malformed.body).toEqual(foreign.body);
    expect(await snapshot()).toEqual(before);
  });

  it('renders each vendor’s not-found body', async () => {
    const bodies = await Promise.all(
      byId.map(([, method, path, body]) => call(t.url, method, path(UNKNOWN), { key: eve, body })),
    );
    expect(bodies[0]!.body).toEqual({ error: 'not_found' });
    expect(bodies[1]!.body).toEqual({
      message: expect.stringMatching(/^Conversation not found\. /),
    });
    expect(bodies[5]!.body).toEqual({ detail: 'Conversation not found' });
    expect(bodies[7]!.body).toEqual({
      code: 'not_found',
      message: 'Conversation Not Exists.',
      status: 404,
    });
    expect(bodies[9]!.body).toEqual({
      error: {
        message: 'Conversation not found.',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });
});

describe('credentials', () => {
  const routes: [string, string, string, unknown][] = [
    ['Florent', 'POST', '/api/florent/conversations', {}],
    ['orq', 'GET', '/v2/conversations', undefined],
    ['RAG', 'GET', `/api/conversations/${UNKNOWN}`, undefined],
    ['Dify', 'GET', '/v1/conversations?user=alice', undefined],
    ['OpenAI', 'POST', '/openai/v1/conversations', {}],
  ];

  it.each(routes)(
    '%s: no credentials and bad credentials are 401 in the face’s shape',
    async (face, method, path, body) => {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer pk_wrong' },
        { authorization: 'Basic YTpi' },
        { authorization: 'Bearer a.b.c' },
      ];
      for (const headers of attempts) {
        const response = await call(t.url, method, path, { body, headers });
        expect(response.status).toBe(401);
        if (face === 'Florent') expect(response.body).toEqual({ error: 'unauthorized' });
        if (face === 'orq') expect(response.body).toEqual({ message: expect.any(String) });
        if (face === 'RAG') expect(response.body).toEqual({ detail: expect.any(String) });
        if (face === 'Dify') {
          expect(response.body).toEqual({
            code: 'unauthorized',
            message: 'Access token is invalid',
            status: 401,
          });
          expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
        }
        if (face === 'OpenAI') {
          expect(response.body).toEqual({
            error: {
              message: expect.any(String),
              type: 'invalid_request_error',
              param: null,
              code: headers.authorization ? 'invalid_api_key' : null,
            },
          });
        }
      }
    },
  );

  it('checks credentials before reading the body', async () => {
    const response = await call(t.url, 'POST', '/api/florent/conversations', {
      rawBody: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(401);
  });
});

describe('bad bodies', () => {
  it('a body over the limit is 413 in the face’s shape, storing nothing', async () => {
    const before = await snapshot();
    const huge = { title: 'x'.repeat(4000) };
    const florent = await call(t.url, 'PATCH', `/api/florent/conversations/${aliceId}`, {
      key: alice,
      body: huge,
    });
    expect(florent).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    const dify = await call(t.url, 'POST', `/v1/conversations/${renderId(aliceId, 'uuid')}/name`, {
      key: alice,
      body: { name: huge.title, user: 'alice' },
    });
    expect(dify).toMatchObject({
      status: 413,
      body: { code: 'request_entity_too_large', status: 413 },
    });
    const rag = await call(t.url, 'PATCH', `/api/conversations/${aliceId}`, {
      key: alice,
      body: huge,
    });
    expect(rag).toMatchObject({ status: 413, body: { detail: expect.any(String) } });
    expect(await snapshot()).toEqual(before);
  });

  it('malformed JSON is a validation error in the face’s shape', async () => {
    const headers = { 'content-type': 'application/json' };
    const florent = await call(t.url, 'PATCH', `/api/florent/conversations/${aliceId}`, {
      key: alice,
      rawBody: '{"title":',
      headers,
    });
    expect(florent).toMatchObject({
      status: 400,
      body: { error: 'invalid_body', issues: [expect.any(Object)] },
    });
    const rag = await call(t.url, 'PATCH', `/api/conversations/${aliceId}`, {
      key: alice,
      rawBody: '{"title":',
      headers,
    });
    expect(rag).toMatchObject({
      status: 422,
      body: {
        detail: [{ type: 'json_invalid', loc: ['body', 9], ctx: { error: 'Expecting value' } }],
      },
    });
    const orq = await call(t.url, 'PATCH', `/v2/conversations/${renderId(aliceId, 'orq')}`, {
      key: alice,
      rawBody: '[',
      headers,
    });
    expect(orq).toMatchObject({ status: 400, body: { message: expect.stringMatching(/JSON/) } });
  });

  it('title rule violations are each vendor’s validation error', async () => {
    const florent = await call(t.url, 'PATCH', `/api/florent/conversations/${aliceId}`, {
      key: alice,
      body: { title: ' ' },
    });
    expect(florent.status).toBe(400);
    expect(florent.body).toEqual({
      error: 'invalid_body',
      issues: [
        { code: 'custom', path: ['title'], message: 'Title must not be empty or only whitespace.' },
      ],
    });
    const rag = await call(t.url, 'PATCH', `/api/conversations/${aliceId}`, {
      key: alice,
      body: {},
    });
    expect(rag.status).toBe(422);
    expect(rag.body.detail).toEqual([
      { type: 'missing', loc: ['body', 'title'], msg: 'Field required', input: {} },
    ]);
    const ragType = await call(t.url, 'PATCH', `/api/conversations/${aliceId}`, {
      key: alice,
      body: { title: 7 },
    });
    expect(ragType.body.detail[0]).toMatchObject({
      type: 'string_type',
      loc: ['body', 'title'],
      input: 7,
    });
    const orq = await call(t.url, 'PATCH', `/v2/conversations/${renderId(aliceId, 'orq')}`, {
      key: alice,
      body: { displayName: 'a'.repeat(101) },
    });
    expect(orq).toMatchObject({
      status: 400,
      body: { message: 'displayName must be at most 100 characters.' },
    });
  });
});
