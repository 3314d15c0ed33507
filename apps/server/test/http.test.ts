/** The Express app in-process on an ephemeral 127.0.0.1 port, against a real temporary database. */
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../testing/in-process-app.ts';
import { trpc } from '../testing/server-process.ts';

let t: TestApp;
let url: string;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  url = t.url;
  key = await t.key('acme', 'alice');
});
afterAll(() => t.close());

const logLines = (app = t) =>
  app
    .logs()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);

/** Waits for a log line (the bound only stops a hung test). */
async function logLine(match: (line: Record<string, any>) => boolean, app = t) {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const found = logLines(app).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no such log line');
}

describe('HTTP surface', () => {
  it('/healthz answers 200 when the database does', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
  });

  it('sends back a request id, keeping a sane one the caller gave', async () => {
    const given = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const garbage = await fetch(`${url}/healthz`, {
      headers: { 'x-request-id': 'no spaces <allowed>' },
    });
    expect(garbage.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown paths with JSON 404, never HTML', async () => {
    const response = await fetch(`${url}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('turns bad tRPC input into 4xx, never 5xx, and stores nothing', async () => {
    const before = await t.database.db.conversation.count();
    const cases: [string, string | undefined][] = [
      ['{', 'application/json'],
      ['"just a string"', 'application/json'],
      ['{"title": 42}', 'application/json'],
      ['{"title": "' + 'x'.repeat(200) + '"}', 'application/json'],
      ['{"__proto__": {"admin": true}, "title": "ok?"}', 'text/plain'],
      ['', undefined],
    ];
    for (const [body, type] of cases) {
      const response = await fetch(`${url}/trpc/conversation.rename`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, ...(type && { 'content-type': type }) },
        body,
      });
      expect(response.status, body).toBeGreaterThanOrEqual(400);
      expect(response.status, body).toBeLessThan(500);
    }
    expect(await t.database.db.conversation.count()).toBe(before);
  });

  it('serves zod issues in the tRPC error shape', async () => {
    const { status, body } = await trpc(
      url,
      'mutation',
      'conversation.create',
      { title: ' ' },
      key,
    );
    expect(status).toBe(400);
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.data.zodError.fieldErrors.title).toEqual([
      'Title must not be empty or only whitespace.',
    ]);
  });

  it('answers a wrong method on a procedure with 4xx', async () => {
    const response = await fetch(`${url}/trpc/conversation.rename?input=%7B%7D`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(405);
  });

  it('logs one line per request, under the id it sent back, and none for health probes', async () => {
    const response = await fetch(`${url}/nope?line=1`, { headers: { 'x-request-id': 'line-1' } });
    expect(response.headers.get('x-request-id')).toBe('line-1');
    await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'probe-1' } });
    // A line is written when the server finishes a response, which may come after the client has
    // read it: a later request's line shows the probe's would be there by now.
    await fetch(`${url}/nope?line=2`, { headers: { 'x-request-id': 'after-probe' } });
    await logLine((line) => line.req?.id === 'after-probe');
    const lines = logLines();
    const mine = lines.filter((line) => line.req?.id === 'line-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'GET', url: '/nope?line=1' },
      res: { statusCode: 404 },
    });
    expect(typeof mine[0]?.responseTime).toBe('number');
    expect(lines.some((line) => line.req?.id === 'probe-1')).toBe(false);
  });

  it('never writes the bearer token to the log', async () => {
    await trpc(url, 'query', 'conversation.list', {}, key);
    await logLine((line) => line.req?.url?.startsWith('/trpc/conversation.list'));
    expect(t.logs()).not.toContain(key);
  });
});

describe('internal errors', () => {
  it('answer 500 in each API’s own shape, without their cause, logged with the request id', async () => {
    const broken = await startTestApp();
    const alice = await broken.key('acme', 'alice');
    const created = await trpc(
      broken.url,
      'mutation',
      'conversation.create',
      { title: 'T' },
      alice,
    );
    const id: string = created.body.result.data.id;
    // A real failure inside every conversation query: the table they read is gone.
    await broken.database.db.$executeRawUnsafe(
      'ALTER TABLE "Conversation" RENAME TO "Conversation_gone"',
    );
    try {
      // Each API answers in its own error shape (tRPC's envelope, each face's dialect).
      const requests: [string, string, string, unknown, unknown][] = [
        [
          'trpc',
          'GET',
          `/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ id }))}`,
          undefined,
          {
            error: {
              message: 'Internal server error',
              data: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 }),
            },
          },
        ],
        [
          'florent',
          'PATCH',
          `/api/florent/conversations/${id}`,
          { title: 'New' },
          { error: 'internal_error' },
        ],
        [
          'orq',
          'GET',
          `/v2/conversations/${renderId(id, 'orq')}`,
          undefined,
          { message: 'Internal server error.' },
        ],
        ['rag', 'GET', `/api/conversations/${id}`, undefined, { detail: 'Internal Server Error' }],
        [
          'dify',
          'GET',
          '/v1/conversations?user=alice',
          undefined,
          { code: 'internal_server_error', message: 'Internal Server Error.', status: 500 },
        ],
      ];
      for (const [name, method, path, body, shape] of requests) {
        const requestId = `internal-${name}`;
        const response = await call(broken.url, method, path, {
          key: alice,
          body,
          headers: { 'x-request-id': requestId },
        });
        expect(response.status, name).toBe(500);
        expect(response.headers.get('x-request-id'), name).toBe(requestId);
        if (name === 'trpc') expect(response.body, name).toMatchObject(shape as object);
        else expect(response.body, name).toEqual(shape);
        const text = JSON.stringify(response.body);
        expect(text, name).not.toMatch(
          /no such table|Conversation_gone|SQLITE|prisma|\bat \S+:\d+/i,
        );
        // The operator finds what happened under the id the client was given.
        const logged = await logLine(
          (line) => line.req?.id === requestId && line.err !== undefined,
          broken,
        );
        expect(logged.level, name).toBe(50);
        // SQLite's words, or PostgreSQL's.
        expect(JSON.stringify(logged.err), name).toMatch(
          /no such table|relation .* does not exist/,
        );
      }
    } finally {
      await broken.database.db.$executeRawUnsafe(
        'ALTER TABLE "Conversation_gone" RENAME TO "Conversation"',
      );
      await broken.close();
    }
  });
});
