/**
 * Export and import over HTTP, as a script calls them: downloads with their types and file
 * names, NDJSON of everything, imports of a ChatGPT export and of Parley's own, and every refusal
 * in the neutral shape with nothing written: no credentials, someone else's id, wrong media type,
 * a broken or oversized file (declared or streamed). And /openapi.json documents exactly these.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../testing/in-process-app.ts';

const CHATGPT = readFileSync(
  path.resolve(
    import.meta.dirname,
    '../../../packages/api/testing/fixtures/chatgpt-conversations.json',
  ),
  'utf8',
);
const LIMIT = 64 * 1024;

let t: TestApp;
let alice: string;
let bob: string;
let id: string;

beforeAll(async () => {
  t = await startTestApp({ importLimitBytes: LIMIT, rateLimits: { perCredential: 0, perIp: 0 } });
  alice = await t.key('acme', 'alice');
  bob = await t.key('evil', 'bob');
  const created = await call(t.url, 'POST', '/trpc/conversation.create', {
    key: alice,
    body: { title: 'Private plans' },
  });
  id = created.body.result.data.id;
  for (const content of ['First', 'Second']) {
    await call(t.url, 'POST', '/trpc/message.append', {
      key: alice,
      body: { conversationId: id, role: 'user', content },
    });
  }
});
afterAll(() => t.close());

const snapshot = async () => ({
  conversations: await t.database.db.conversation.findMany({ orderBy: { id: 'asc' } }),
  messages: await t.database.db.message.count(),
});

function upload(body: string | Buffer, key: string, type = 'application/json', query = '') {
  return call(t.url, 'POST', `/api/import${query}`, {
    key,
    rawBody: body as string,
    headers: { 'content-type': type },
  });
}

describe('GET /api/export/conversations/{id}.json and .md', () => {
  it('downloads one conversation as Parley’s JSON, by any rendering of its id', async () => {
    for (const rendered of [id, renderId(id, 'uuid'), renderId(id, 'orq')]) {
      const response = await call(t.url, 'GET', `/api/export/conversations/${rendered}.json`, {
        key: alice,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="parley-${id}.json"`,
      );
      expect(response.body).toMatchObject({
        format: 'parley.conversation',
        version: 1,
        id,
        title: 'Private plans',
        messages: [{ content: 'First' }, { content: 'Second' }],
      });
    }
  });

  it('downloads Markdown', async () => {
    const response = await call(t.url, 'GET', `/api/export/conversations/${id}.md`, {
      key: alice,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(response.body).toMatch(/^# Private plans\n[\s\S]*## User · .*\n\nFirst\n/);
  });

  it('is 404 for someone else, unknown ids and other extensions; 401 without a key', async () => {
    const cases: [string, string | undefined, number][] = [
      [`/api/export/conversations/${id}.json`, bob, 404],
      [`/api/export/conversations/${id}.md`, bob, 404],
      ['/api/export/conversations/01ARZ3NDEKTSV4RRFFQ69G5FAV.json', alice, 404],
      [`/api/export/conversations/${id}.txt`, alice, 404],
      [`/api/export/conversations/${id}`, alice, 404],
      ['/api/export/conversations/%ED%A0%80.json', alice, 400], // not UTF-8: a malformed path
      [`/api/export/conversations/${id}.json`, undefined, 401],
      [`/api/export/conversations/${id}.json`, 'pk_not_a_key', 401],
      ['/api/export/conversations.ndjson', undefined, 401],
    ];
    for (const [url, key, status] of cases) {
      const response = await call(t.url, 'GET', url, { key });
      expect(response.status, url).toBe(status);
      expect(response.body, url).toMatchObject({ error: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toMatch(/Private|First/);
    }
  });
});

describe('GET /api/export/conversations.ndjson', () => {
  it('streams the caller’s conversations, one document per line, nobody else’s', async () => {
    await call(t.url, 'POST', '/trpc/conversation.create', { key: bob, body: { title: 'Bob’s' } });
    const response = await fetch(`${t.url}/api/export/conversations.ndjson`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="parley-conversations-\d{4}-\d{2}-\d{2}\.ndjson"$/,
    );
    const lines = (await response.text()).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).title)).toEqual(['Private plans']);
  });
});

describe('POST /api/import', () => {
  it('imports a ChatGPT export, then says "already imported"', async () => {
    const carol = await t.key('acme', 'carol');
    const first = await upload(CHATGPT, carol);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ format: 'chatgpt', imported: 2, skippedCount: 1 });
    const list = await call(t.url, 'GET', '/trpc/conversation.list', { key: carol });
    expect(list.body.result.data.items.map((c: { title: string }) => c.title).sort()).toEqual([
      'Bread recipe',
      'Trip to Lisbon',
    ]);

    const before = await snapshot();
    const again = await upload(CHATGPT, carol, 'application/json', '?format=chatgpt');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ imported: 0, skippedCount: 3 });
    expect(again.body.skipped[0]).toMatchObject({ index: 0, reason: 'already imported' });
    expect(await snapshot()).toEqual(before);
  });

  it('reads back its own NDJSON export into another account', async () => {
    const ndjson = await (
      await fetch(`${t.url}/api/export/conversations.ndjson`, {
        headers: { authorization: `Bearer ${alice}` },
      })
    ).text();
    const dave = await t.key('acme', 'dave');
    const response = await upload(ndjson, dave, 'application/x-ndjson');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ format: 'parley', imported: 1 });
    const copy = response.body.conversations[0].id;
    const exported = await call(t.url, 'GET', `/api/export/conversations/${copy}.json`, {
      key: dave,
    });
    expect(exported.body).toMatchObject({ title: 'Private plans', messageCount: 2 });
  });

  const refusals: [string, () => Promise<Awaited<ReturnType<typeof call>>>, number, object][] = [
    [
      'a truncated file',
      () => upload(CHATGPT.slice(0, 2000), alice),
      400,
      { error: 'truncated', at: { byte: Buffer.byteLength(CHATGPT.slice(0, 2000)), index: 0 } },
    ],
    [
      'malformed JSON',
      () => upload('[{"mapping": {}},\n {"mapping": nope}]', alice),
      400,
      { error: 'malformed', at: { byte: 32, line: 2, column: 15, index: 1 } },
    ],
    ['another format', () => upload('[{"hello": "world"}]', alice), 400, { error: 'wrong_format' }],
    [
      'a named format that does not match',
      () => upload(CHATGPT, alice, 'application/json', '?format=parley'),
      400,
      { error: 'wrong_format' },
    ],
    ['an empty body', () => upload('', alice), 400, { error: 'empty' }],
    [
      'an unknown format',
      () => upload(CHATGPT, alice, 'application/json', '?format=csv'),
      400,
      { error: 'bad_request' },
    ],
    ['text/plain', () => upload(CHATGPT, alice, 'text/plain'), 415, {}],
    ['a form', () => upload('a=b', alice, 'application/x-www-form-urlencoded'), 415, {}],
    ['no credentials', () => upload(CHATGPT, ''), 401, { error: 'unauthorized' }],
    [
      'a declared size over the limit',
      () => upload(`[${' '.repeat(LIMIT)}]`, alice),
      413,
      { error: 'too_large' },
    ],
    [
      'a streamed body over the limit (no Content-Length)',
      async () => {
        const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ === 0) controller.enqueue(new TextEncoder().encode('['));
            else if (sent < 20) controller.enqueue(chunk);
            else controller.close();
          },
        });
        const response = await fetch(`${t.url}/api/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
          body,
          duplex: 'half',
        });
        return { status: response.status, headers: response.headers, body: await response.json() };
      },
      413,
      { error: 'too_large' },
    ],
    [
      'another method',
      () => call(t.url, 'DELETE', '/api/import', { key: alice }),
      405,
      { error: 'method_not_allowed' },
    ],
  ];
  it.each(refusals)(
    '%s is refused, says so, and writes nothing',
    async (_name, send, status, body) => {
      const before = await snapshot();
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({
        error: expect.any(String),
        message: expect.any(String),
      });
      expect(response.body).toMatchObject(body);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('names where a file broke, even after good conversations, and imports none of them', async () => {
    const good = JSON.stringify(JSON.parse(CHATGPT)[0]);
    const response = await upload(`[${good},\n${good.slice(0, -1)}`, await t.key('acme', 'erin'));
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/item 1\b.*truncated/);
    const erinList = await call(t.url, 'GET', '/trpc/conversation.list', {
      key: await t.key('acme', 'erin'),
    });
    expect(erinList.body.result.data.items).toEqual([]);
  });
});

describe('/openapi.json', () => {
  it('documents the export and import routes, each of which answers', async () => {
    const doc = (await call(t.url, 'GET', '/openapi.json')).body;
    const operations = [
      ['get', '/api/export/conversations.ndjson'],
      ['get', '/api/export/conversations/{id}.json'],
      ['get', '/api/export/conversations/{id}.md'],
      ['post', '/api/import'],
    ];
    const documented = Object.keys(doc.paths).filter((p) => /^\/api\/(export|import)/.test(p));
    expect(documented.sort()).toEqual(operations.map(([, p]) => p).sort());
    for (const [method, route] of operations) {
      const operation = doc.paths[route!][method!];
      expect(operation.security).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401']));
      const response = await call(t.url, method!.toUpperCase(), route!.replace('{id}', id));
      expect(response.status, route).toBe(401);
    }
  });
});
