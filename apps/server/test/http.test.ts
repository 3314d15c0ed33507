/** The Express app in-process on an ephemeral 127.0.0.1 port, against a real temporary database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/in-process-app.ts';
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
    const lines = t
      .logs()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, any>);
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
    expect(t.logs()).toContain('"url":"/trpc/conversation.list');
    expect(t.logs()).not.toContain(key);
  });
});
