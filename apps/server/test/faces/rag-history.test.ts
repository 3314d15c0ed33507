/**
 * The RAG face answers a conversation with every message, oldest first, however many there are:
 * it stopped at 1,000 without saying so. (Memory for a long history: rag-memory.test.ts.)
 */
import http from 'node:http';
import { newId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';
import { trpc } from '../../testing/server-process.ts';

let t: TestApp;
let key: string;
let id: string;
const COUNT = 1_005;

beforeAll(async () => {
  t = await startTestApp();
  key = await t.key('acme', 'alice');
  id = (await trpc(t.url, 'mutation', 'conversation.create', { title: 'Long' }, key)).body.result
    .data.id;
  // Written straight to the database: ids in creation order, a second apart.
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  await t.database.db.message.createMany({
    data: Array.from({ length: COUNT }, (_, i) => ({
      id: newId(),
      conversationId: id,
      role: i % 2 ? 'assistant' : 'user',
      content: `message ${i}`,
      createdAt: new Date(start + i * 1000),
    })),
  });
});
afterAll(() => t.close());

function expectWhole(body: any) {
  expect(body.messages).toHaveLength(COUNT);
  expect(body.messages.map((m: any) => m.content)).toEqual(
    Array.from({ length: COUNT }, (_, i) => `message ${i}`),
  );
  expect(body.messages[1]).toEqual({
    content: 'message 1',
    role: 'assistant',
    timestamp: '2026-01-01T00:00:01.000Z',
  });
}

describe('RAG history', () => {
  it('GET returns all 1,005 messages, oldest first, with the conversation’s ETag', async () => {
    const response = await call(t.url, 'GET', `/api/conversations/${id}`, { key });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('etag')).toBe('"1"');
    expect(Object.keys(response.body)).toEqual([
      'id',
      'title',
      'created_at',
      'updated_at',
      'messages',
    ]);
    expect(response.body).toMatchObject({ id, title: 'Long' });
    expectWhole(response.body);
  });

  it('PATCH returns the renamed conversation with all of them too', async () => {
    const response = await call(t.url, 'PATCH', `/api/conversations/${id}`, {
      key,
      body: { title: 'Long, renamed' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(response.body.title).toBe('Long, renamed');
    expectWhole(response.body);
  });

  it('an empty conversation has an empty list', async () => {
    const empty = (await trpc(t.url, 'mutation', 'conversation.create', { title: 'E' }, key)).body
      .result.data.id;
    const response = await call(t.url, 'GET', `/api/conversations/${empty}`, { key });
    expect(response.body.messages).toEqual([]);
  });

  it('HEAD answers the headers without reading the history', async () => {
    const response = await fetch(`${t.url}/api/conversations/${id}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(await response.text()).toBe('');
  });

  it('a client that leaves mid-answer ends the writing; the server answers the next one', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${t.url}/api/conversations/${id}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      req.on('response', (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
    });
    const again = await call(t.url, 'GET', `/api/conversations/${id}`, { key });
    expect(again.status).toBe(200);
    expect(again.body.messages).toHaveLength(COUNT);
  });
});
