/**
 * conversation.search over HTTP, as any client calls it: GET with the input in the URL. Bad
 * queries get tRPC's BAD_REQUEST envelope or are searched as plain text, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../testing/in-process-app.ts';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  key = await t.key('acme', 'alice');
  const created = await call(t.url, 'POST', '/trpc/conversation.create', {
    key,
    body: { title: 'Tram 28', messages: [{ role: 'user', content: 'Which tram goes to Alfama?' }] },
  });
  expect(created.status).toBe(200);
});

afterAll(() => t?.close());

const search = (input: unknown) =>
  call(
    t.url,
    'GET',
    `/trpc/conversation.search?input=${encodeURIComponent(JSON.stringify(input))}`,
    { key },
  );

describe('conversation.search over HTTP', () => {
  it('answers with results, snippets and highlight ranges', async () => {
    const found = await search({ q: 'alfama' });
    expect(found.status).toBe(200);
    const [item] = found.body.result.data.items;
    expect(item).toMatchObject({
      matchedIn: 'message',
      conversation: { title: 'Tram 28' },
      snippet: { text: 'Which tram goes to Alfama?', highlights: [{ start: 19, end: 25 }] },
    });
    expect(typeof item.messageId).toBe('string');
  });

  it('refuses empty, blank and overlong queries with BAD_REQUEST', async () => {
    for (const input of [{ q: '' }, { q: '   ' }, { q: 'x'.repeat(10_000) }, {}, { q: 42 }]) {
      const refused = await search(input);
      expect(refused.status, JSON.stringify(input).slice(0, 40)).toBe(400);
      expect(refused.body.error.data).toMatchObject({
        code: 'BAD_REQUEST',
        path: 'conversation.search',
      });
    }
  });

  it('searches FTS and LIKE syntax as plain text', async () => {
    for (const q of ['"', 'tram"', '*', 'NEAR(tram', 'tram OR', '%', '_', '\\', "'; DROP"]) {
      const answered = await search({ q });
      expect(answered.status, q).toBe(200);
    }
    expect((await search({ q: 'tr%m' })).body.result.data.items).toEqual([]);
  });

  it('answers an input too long for a URL without a 500', async () => {
    // 10,000 CJK characters are about 90 KB of URL, refused before tRPC sees it (400 seen).
    const refused = await search({ q: '東'.repeat(10_000) });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
  });
});
