/**
 * Correctness under load: 1,000 concurrent renames of one conversation, spread over every face
 * and tRPC. Every one is acknowledged, the version counts each exactly once, the final title is
 * one of those requested, and no database-busy error reaches a client.
 */
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  key = await t.key('acme', 'alice');
});
afterAll(() => t.close());

const RENAMES = 1000;

function rename(id: string, i: number) {
  const title = `Title ${i}`;
  switch (i % 5) {
    case 0:
      return call(t.url, 'PATCH', `/api/florent/conversations/${id}`, { key, body: { title } });
    case 1:
      return call(t.url, 'PATCH', `/v2/conversations/${renderId(id, 'orq')}`, {
        key,
        body: { displayName: title },
      });
    case 2:
      return call(t.url, 'PATCH', `/api/conversations/${id}`, { key, body: { title } });
    case 3:
      return call(t.url, 'POST', `/v1/conversations/${renderId(id, 'uuid')}/name`, {
        key,
        body: { name: title, user: 'alice' },
      });
    default:
      return call(t.url, 'POST', '/trpc/conversation.rename', { key, body: { id, title } });
  }
}

describe('1,000 concurrent renames of one conversation', () => {
  it('acknowledges each, counts each once, and ends on a requested title', async () => {
    const created = await call(t.url, 'POST', '/api/florent/conversations', {
      key,
      body: { title: 'Start' },
    });
    const id: string = created.body.conversation._id;
    const results = await Promise.all(Array.from({ length: RENAMES }, (_, i) => rename(id, i)));
    const statuses = new Map<number, number>();
    for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 200: RENAMES });
    expect(t.logs()).not.toMatch(/SQLITE_BUSY|database is locked/);
    const stored = await t.database.db.conversation.findUniqueOrThrow({ where: { id } });
    expect(stored.version).toBe(1 + RENAMES);
    expect(Array.from({ length: RENAMES }, (_, i) => `Title ${i}`)).toContain(stored.title);
  });
});
