/** Dify's own rules: end users named by `user`, auto_generate, last_id paging, sort_by. */
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';
import { trpc } from '../../testing/server-process.ts';

let t: TestApp;
let key: string; // acme/alice's key; acts for acme's users through `user`
let bobKey: string;

beforeAll(async () => {
  t = await startTestApp();
  key = await t.key('acme', 'alice');
  bobKey = await t.key('acme', 'bob');
});
afterAll(() => t.close());

const create = async (title: string, as = key) =>
  (await trpc(t.url, 'mutation', 'conversation.create', { title }, as)).body.result.data as {
    id: string;
  };

describe('Dify rename', () => {
  it('a blank name without auto_generate is 400 invalid_param', async () => {
    const { id } = await create('Keep me');
    for (const body of [
      { user: 'alice' },
      { name: '', user: 'alice' },
      { name: '   ', user: 'alice' },
      { name: null, user: 'alice' },
    ]) {
      const response = await call(t.url, 'POST', `/v1/conversations/${renderId(id, 'uuid')}/name`, {
        key,
        body,
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'invalid_param', status: 400 });
    }
  });

  it('auto_generate without messages is 400 invalid_param; with one it names from the first user message', async () => {
    const { id } = await create('Unnamed');
    const path = `/v1/conversations/${renderId(id, 'uuid')}/name`;
    const empty = await call(t.url, 'POST', path, {
      key,
      body: { auto_generate: true, user: 'alice' },
    });
    expect(empty).toMatchObject({ status: 400, body: { code: 'invalid_param', status: 400 } });
    await trpc(
      t.url,
      'mutation',
      'message.append',
      { conversationId: id, role: 'user', content: 'How do I bake "sourdough"?' },
      key,
    );
    const named = await call(t.url, 'POST', path, {
      key,
      body: { auto_generate: true, user: 'alice' },
    });
    expect(named.status).toBe(200);
    expect(named.body.name).toBe('How do I bake sourdough?');
  });

  it('`user` is the end user inside the key’s organization: another user’s conversation is not found', async () => {
    const bobs = await create('Bob only', bobKey);
    const asAlice = await call(
      t.url,
      'POST',
      `/v1/conversations/${renderId(bobs.id, 'uuid')}/name`,
      {
        key,
        body: { name: 'Taken over?', user: 'alice' },
      },
    );
    expect(asAlice.status).toBe(404);
    // The organization key acting for bob reaches bob's conversation.
    const asBob = await call(t.url, 'POST', `/v1/conversations/${renderId(bobs.id, 'uuid')}/name`, {
      key,
      body: { name: 'Renamed for Bob', user: 'bob' },
    });
    expect(asBob).toMatchObject({ status: 200, body: { name: 'Renamed for Bob' } });
    // A key of another organization cannot, whatever it names.
    const outsider = await t.key('other', 'bob');
    const fromOutside = await call(
      t.url,
      'POST',
      `/v1/conversations/${renderId(bobs.id, 'uuid')}/name`,
      {
        key: outsider,
        body: { name: 'No', user: 'bob' },
      },
    );
    expect(fromOutside.status).toBe(404);
  });

  it('`user` is required on rename', async () => {
    const { id } = await create('x');
    const response = await call(t.url, 'POST', `/v1/conversations/${renderId(id, 'uuid')}/name`, {
      key,
      body: { name: 'y' },
    });
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_param' } });
  });
});

describe('Dify list', () => {
  it('pages with last_id, newest updated first, with has_more', async () => {
    const carolKey = await t.key('acme', 'carol');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(`c${i}`, carolKey)).id);
    const first = await call(t.url, 'GET', '/v1/conversations?user=carol&limit=2', { key });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ limit: 2, has_more: true });
    expect(first.body.data.map((c: any) => c.name)).toEqual(['c4', 'c3']);
    const next = await call(
      t.url,
      'GET',
      `/v1/conversations?user=carol&limit=2&last_id=${first.body.data[1].id}`,
      { key },
    );
    expect(next.body.data.map((c: any) => c.name)).toEqual(['c2', 'c1']);
    const oldest = await call(
      t.url,
      'GET',
      '/v1/conversations?user=carol&sort_by=created_at&limit=100',
      { key },
    );
    expect(oldest.body.data.map((c: any) => c.name)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(oldest.body.has_more).toBe(false);
  });

  it('an unknown last_id is 404 "Last Conversation Not Exists."', async () => {
    const response = await call(
      t.url,
      'GET',
      `/v1/conversations?user=alice&last_id=${renderId('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'uuid')}`,
      { key },
    );
    expect(response).toMatchObject({
      status: 404,
      body: { code: 'not_found', message: 'Last Conversation Not Exists.', status: 404 },
    });
  });

  it('validates limit and sort_by, and lists nothing for pinned=true or an unknown user', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'sort_by=title']) {
      const response = await call(t.url, 'GET', `/v1/conversations?user=alice&${query}`, { key });
      expect(response).toMatchObject({ status: 400, body: { code: 'invalid_param' } });
    }
    const pinned = await call(t.url, 'GET', '/v1/conversations?user=alice&pinned=true', { key });
    expect(pinned.body).toEqual({ limit: 20, has_more: false, data: [] });
    const nobody = await call(t.url, 'GET', '/v1/conversations?user=nobody', { key });
    expect(nobody.body).toEqual({ limit: 20, has_more: false, data: [] });
    expect(await t.database.db.user.count({ where: { name: 'nobody' } })).toBe(0);
  });
});

describe('Dify delete', () => {
  it('deletes with 204 and no body; then it is not found', async () => {
    const { id } = await create('Doomed');
    const path = `/v1/conversations/${renderId(id, 'uuid')}`;
    const deleted = await call(t.url, 'DELETE', path, { key, body: { user: 'alice' } });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    const again = await call(t.url, 'DELETE', path, { key, body: { user: 'alice' } });
    expect(again).toMatchObject({
      status: 404,
      body: { code: 'not_found', message: 'Conversation Not Exists.' },
    });
  });
});
