/** Beyond every vendor: ETag / If-Match on renames, Idempotency-Key on creates, on each face. */
import http from 'node:http';
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';
import { trpc } from '../../testing/server-process.ts';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  key = await t.key('acme', 'alice');
});
afterAll(() => t.close());

async function create(): Promise<string> {
  const created = await call(t.url, 'POST', '/api/florent/conversations', {
    key,
    body: { title: 'Start' },
  });
  expect(created.headers.get('etag')).toBe('"1"');
  return created.body.conversation._id as string;
}

// Each face's rename, with the body it takes.
const renames: [
  string,
  (id: string, title: string) => [string, string, unknown],
  (body: any) => string,
][] = [
  [
    'Florent',
    (id, title) => ['PATCH', `/api/florent/conversations/${id}`, { title }],
    (b) => b.conversation.title,
  ],
  [
    'orq',
    (id, title) => ['PATCH', `/v2/conversations/${renderId(id, 'orq')}`, { displayName: title }],
    (b) => b.displayName,
  ],
  ['RAG', (id, title) => ['PATCH', `/api/conversations/${id}`, { title }], (b) => b.title],
  [
    'Dify',
    (id, title) => [
      'POST',
      `/v1/conversations/${renderId(id, 'uuid')}/name`,
      { name: title, user: 'alice' },
    ],
    (b) => b.name,
  ],
];

describe.each(renames)('%s rename', (_face, request, titleOf) => {
  it('sends the version as ETag and honours If-Match', async () => {
    const id = await create();
    const [method, path, body] = request(id, 'Second');
    const ok = await call(t.url, method, path, { key, body, headers: { 'if-match': '"1"' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    expect(titleOf(ok.body)).toBe('Second');

    const [m2, p2, b2] = request(id, 'Lost update');
    const stale = await call(t.url, m2, p2, { key, body: b2, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    const garbage = await call(t.url, m2, p2, {
      key,
      body: b2,
      headers: { 'if-match': 'not-an-etag' },
    });
    expect(garbage.status).toBe(412);
    expect(garbage.body).toEqual(stale.body);

    const any = await call(t.url, m2, p2, {
      key,
      body: request(id, 'Third')[2],
      headers: { 'if-match': '*' },
    });
    expect(any.status).toBe(200);
    expect(any.headers.get('etag')).toBe('"3"');
    const stored = await t.database.db.conversation.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ title: 'Third', version: 3 });
  });

  it('exactly one of several renames carrying the same ETag succeeds', async () => {
    const id = await create();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        const [method, path, body] = request(id, `Attempt ${i}`);
        return call(t.url, method, path, { key, body, headers: { 'if-match': '"1"' } });
      }),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(7);
  });
});

describe('Idempotency-Key', () => {
  it('a replayed Florent create returns the first conversation, with one row stored', async () => {
    const headers = { 'idempotency-key': 'order-42' };
    const first = await call(t.url, 'POST', '/api/florent/conversations', {
      key,
      body: { title: 'Once' },
      headers,
    });
    const again = await call(t.url, 'POST', '/api/florent/conversations', {
      key,
      body: { title: 'Once' },
      headers,
    });
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await t.database.db.conversation.count({ where: { idempotencyKey: 'order-42' } })).toBe(
      1,
    );
  });

  it('works on orq creates too, and an oversized key is a validation error', async () => {
    const headers = { 'idempotency-key': 'orq-1' };
    const first = await call(t.url, 'POST', '/v2/conversations', { key, body: {}, headers });
    const again = await call(t.url, 'POST', '/v2/conversations', { key, body: {}, headers });
    expect(first.status).toBe(201);
    expect(first.body.displayName).toBe('Untitled');
    expect(again.body._id).toBe(first.body._id);
    const tooLong = await call(t.url, 'POST', '/v2/conversations', {
      key,
      body: {},
      headers: { 'idempotency-key': 'k'.repeat(256) },
    });
    expect(tooLong.status).toBe(400);
  });

  it('a replay after a rename returns the current state; a delete frees the key', async () => {
    const headers = { 'idempotency-key': 'orq-renamed' };
    const first = await call(t.url, 'POST', '/v2/conversations', {
      key,
      body: { displayName: 'First' },
      headers,
    });
    expect(first.status).toBe(201);
    const id: string = first.body._id;
    const renamed = await call(t.url, 'PATCH', `/v2/conversations/${id}`, {
      key,
      body: { displayName: 'Renamed' },
    });
    expect(renamed.status).toBe(200);
    const replay = await call(t.url, 'POST', '/v2/conversations', {
      key,
      body: { displayName: 'Ignored' },
      headers,
    });
    expect(replay.body).toEqual(renamed.body);
    expect(replay.headers.get('etag')).toBe('"2"');

    expect((await call(t.url, 'DELETE', `/v2/conversations/${id}`, { key })).status).toBe(204);
    const fresh = await call(t.url, 'POST', '/v2/conversations', {
      key,
      body: { displayName: 'Second life' },
      headers,
    });
    expect(fresh.status).toBe(201);
    expect(fresh.body._id).not.toBe(id);
    expect(fresh.body.displayName).toBe('Second life');
  });

  it('without the header, two creates are two conversations (vendor clients are unchanged)', async () => {
    const a = await call(t.url, 'POST', '/api/florent/conversations', {
      key,
      body: { title: 'Same' },
    });
    const b = await call(t.url, 'POST', '/api/florent/conversations', {
      key,
      body: { title: 'Same' },
    });
    expect(a.body.conversation._id).not.toBe(b.body.conversation._id);
  });

  it('never answers 304 to If-None-Match: the version ETag does not change with messages', async () => {
    const id = await create();
    await trpc(
      t.url,
      'mutation',
      'message.append',
      { conversationId: id, role: 'assistant', content: 'A reply changes the counters' },
      key,
    );
    // With node:http: fetch turns a conditional request into `Cache-Control: no-cache`, which
    // no server answers with 304, so it would hide the bug.
    const conditionalGet = (path: string) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const request = http.get(
          `${t.url}${path}`,
          { headers: { authorization: `Bearer ${key}`, 'if-none-match': '"1"' } },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null }),
            );
          },
        );
        request.on('error', reject);
      });
    const orq = await conditionalGet(`/v2/conversations/${renderId(id, 'orq')}`);
    expect(orq.status).toBe(200);
    expect(orq.body._id).toBe(renderId(id, 'orq'));
    const rag = await conditionalGet(`/api/conversations/${id}`);
    expect(rag.status).toBe(200);
    expect(rag.body.messages).toHaveLength(1);
  });
});
