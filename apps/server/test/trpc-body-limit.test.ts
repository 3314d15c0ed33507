/**
 * /trpc bodies have a limit (PARLEY_TRPC_BODY_LIMIT): one over it is 413 in tRPC's envelope,
 * refused without reading the rest and without touching stored data; the default refuses no valid
 * call.
 */
import { once } from 'node:events';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../testing/in-process-app.ts';

const LIMIT = 1024;
let small: TestApp;
let byDefault: TestApp;

beforeAll(async () => {
  [small, byDefault] = await Promise.all([
    startTestApp({ trpcBodyLimitBytes: LIMIT }),
    startTestApp(),
  ]);
});
afterAll(() => Promise.all([small?.close(), byDefault?.close()]));

const tooLarge = (path: string) => ({
  error: {
    message: 'PAYLOAD_TOO_LARGE',
    code: -32013,
    data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, path, zodError: null },
  },
});

async function conversation(t: TestApp, key: string) {
  const created = await call(t.url, 'POST', '/trpc/conversation.create', {
    key,
    body: { title: 'Kept' },
  });
  expect(created.status).toBe(200);
  return created.body.result.data.id as string;
}

async function titleOf(t: TestApp, key: string, id: string) {
  const input = encodeURIComponent(JSON.stringify({ id }));
  const got = await call(t.url, 'GET', `/trpc/conversation.get?input=${input}`, { key });
  expect(got.status).toBe(200);
  return got.body.result.data.title as string;
}

describe('a /trpc body over the limit', () => {
  it('is 413 by its Content-Length, and the connection closes after the answer', async () => {
    const key = await small.key('acme', 'alice');
    const id = await conversation(small, key);
    // Valid JSON, one byte over: only its size is wrong.
    const padding = 'x'.repeat(LIMIT - JSON.stringify({ id, title: 'New', pad: '' }).length + 1);
    const body = JSON.stringify({ id, title: 'New', pad: padding });
    expect(Buffer.byteLength(body)).toBe(LIMIT + 1);
    const refused = await call(small.url, 'POST', '/trpc/conversation.rename', {
      key,
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(refused.status).toBe(413);
    expect(refused.body).toEqual(tooLarge('conversation.rename'));
    expect(refused.headers.get('connection')).toBe('close');
    expect(await titleOf(small, key, id)).toBe('Kept');

    // At the limit exactly it is read (and the unknown key is ignored, as tRPC's zod objects do).
    const atLimit = JSON.stringify({ id, title: 'New', pad: padding.slice(1) });
    expect(Buffer.byteLength(atLimit)).toBe(LIMIT);
    const renamed = await call(small.url, 'POST', '/trpc/conversation.rename', {
      key,
      rawBody: atLimit,
      headers: { 'content-type': 'application/json' },
    });
    expect(renamed.status).toBe(200);
    expect(await titleOf(small, key, id)).toBe('New');
  });

  // A server that waited for the rest would never answer: the bound makes that a failure.
  it(
    'is 413 as it arrives without a length, before the client has sent the rest',
    { timeout: 30_000 },
    async () => {
      const key = await small.key('acme', 'bob');
      const id = await conversation(small, key);
      const request = http.request(`${small.url}/trpc/conversation.rename`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      });
      // Chunked, and never ended: only an answer given before the end of the body can arrive.
      request.write(`{"id":"${id}","title":"New","pad":"`);
      request.write('x'.repeat(LIMIT));
      request.flushHeaders();
      const [response] = (await once(request, 'response')) as [http.IncomingMessage];
      let text = '';
      for await (const chunk of response) text += chunk;
      request.destroy();
      expect(response.headers['transfer-encoding']).toBeUndefined();
      expect(response.statusCode).toBe(413);
      expect(JSON.parse(text)).toEqual(tooLarge('conversation.rename'));
      expect(await titleOf(small, key, id)).toBe('Kept');
    },
  );
});

describe('the default limit', () => {
  it('takes the largest valid call: 20 messages of 32,000 three-byte characters', async () => {
    const key = await byDefault.key('acme', 'carol');
    const conversationId = await conversation(byDefault, key);
    const content = '話'.repeat(32_000);
    const messages = Array.from({ length: 20 }, () => ({ role: 'user', content }));
    const body = JSON.stringify({ conversationId, messages });
    expect(Buffer.byteLength(body)).toBeGreaterThan(1_900_000);
    const appended = await call(byDefault.url, 'POST', '/trpc/message.appendMany', {
      key,
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(appended.status).toBe(200);
    const input = encodeURIComponent(JSON.stringify({ conversationId, limit: 100 }));
    const listed = await call(byDefault.url, 'GET', `/trpc/message.list?input=${input}`, { key });
    expect(listed.body.result.data.items).toHaveLength(20);
  });
});
