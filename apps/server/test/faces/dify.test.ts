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

  it('validates limit, sort_by and pinned, and lists nothing for an unknown user', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'sort_by=title', 'pinned=yes']) {
      const response = await call(t.url, 'GET', `/v1/conversations?user=alice&${query}`, { key });
      expect(response).toMatchObject({ status: 400, body: { code: 'invalid_param' } });
    }
    const nobody = await call(t.url, 'GET', '/v1/conversations?user=nobody', { key });
    expect(nobody.body).toEqual({ limit: 20, has_more: false, data: [] });
    expect(await t.database.db.user.count({ where: { name: 'nobody' } })).toBe(0);
  });
});

describe('Dify list: pinned and archived', () => {
  it('pinned=true|false filters by the pin; archived conversations are not listed', async () => {
    const carol = await t.key('acme', 'pinner');
    const [pinned, plain, archived] = [
      await create('Pinned', carol),
      await create('Plain', carol),
      await create('Archived', carol),
    ];
    await trpc(t.url, 'mutation', 'conversation.pin', { id: pinned!.id }, carol);
    await trpc(t.url, 'mutation', 'conversation.archive', { id: archived!.id }, carol);
    const list = async (query: string) =>
      (
        (await call(t.url, 'GET', `/v1/conversations?user=pinner${query}`, { key: carol }))
          .body as {
          data: { id: string; name: string }[];
        }
      ).data.map((c) => c.name);
    expect(await list('&pinned=true')).toEqual(['Pinned']);
    expect(await list('&pinned=false')).toEqual(['Plain']);
    expect(await list('')).toEqual(['Plain', 'Pinned']);
    // Still readable by id: its messages answer, not 404.
    const messages = await call(
      t.url,
      'GET',
      `/v1/messages?user=pinner&conversation_id=${renderId(archived!.id, 'uuid')}`,
      { key: carol },
    );
    expect(messages.status).toBe(200);
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

describe('Dify message history', () => {
  const history = (query: string) => call(t.url, 'GET', `/v1/messages?${query}`, { key });
  const append = (id: string, role: 'user' | 'assistant' | 'system', content: string) =>
    trpc(t.url, 'mutation', 'message.append', { conversationId: id, role, content }, key);
  /** A conversation of alice's with these messages; returns its id and its messages' ids. */
  const withMessages = async (said: [role: 'user' | 'assistant' | 'system', content: string][]) => {
    const { id } = await create('History');
    const ids: string[] = [];
    for (const [role, content] of said)
      ids.push((await append(id, role, content)).body.result.data.id);
    return { id, uuid: renderId(id, 'uuid'), ids };
  };

  it('assistant messages before the first user message are a turn with an empty query; system messages are in none', async () => {
    const c = await withMessages([
      ['system', 'Be brief.'],
      ['assistant', 'Hi! I plan trips.'],
      ['assistant', 'Where to?'],
      ['system', 'Prefer trains.'],
      ['user', 'Lisbon.'],
      ['system', 'Mention prices.'],
      ['assistant', 'Take the train.'],
    ]);
    const response = await history(`conversation_id=${c.uuid}&user=alice`);
    expect(response.status).toBe(200);
    expect(
      response.body.data.map((m: any) => [m.id, m.parent_message_id, m.query, m.answer]),
    ).toEqual([
      [renderId(c.ids[1]!, 'uuid'), null, '', 'Hi! I plan trips.\n\nWhere to?'],
      [renderId(c.ids[4]!, 'uuid'), renderId(c.ids[1]!, 'uuid'), 'Lisbon.', 'Take the train.'],
    ]);
    // Paging back from the user turn reaches the leading turn, and nothing before it.
    const back = await history(`conversation_id=${c.uuid}&first_id=${renderId(c.ids[4]!, 'uuid')}`);
    expect(back.body).toMatchObject({
      has_more: false,
      data: [{ query: '', answer: expect.any(String) }],
    });
    const none = await history(`conversation_id=${c.uuid}&first_id=${renderId(c.ids[1]!, 'uuid')}`);
    expect(none.body).toEqual({ limit: 20, has_more: false, data: [] });
  });

  it('a conversation with no messages, or only system messages, has an empty history', async () => {
    const histories: [role: 'user' | 'assistant' | 'system', content: string][][] = [
      [],
      [['system', 'Be brief.']],
    ];
    for (const said of histories) {
      const c = await withMessages(said);
      const response = await history(`conversation_id=${c.uuid}`);
      expect(response.body).toEqual({ limit: 20, has_more: false, data: [] });
    }
  });

  it('limit counts turns: has_more says older turns remain', async () => {
    const c = await withMessages([
      ['user', 'q1'],
      ['assistant', 'a1'],
      ['user', 'q2'],
      ['assistant', 'a2'],
      ['user', 'q3'],
    ]);
    const newest = await history(`conversation_id=${c.uuid}&limit=2`);
    expect(newest.body).toMatchObject({ limit: 2, has_more: true });
    expect(newest.body.data.map((m: any) => m.query)).toEqual(['q2', 'q3']);
    const older = await history(
      `conversation_id=${c.uuid}&limit=2&first_id=${newest.body.data[0].id}`,
    );
    expect(older.body).toMatchObject({ limit: 2, has_more: false });
    expect(older.body.data.map((m: any) => [m.query, m.answer])).toEqual([['q1', 'a1']]);
    // Exactly `limit` turns: all of them, and nothing older.
    const all = await history(`conversation_id=${c.uuid}&limit=3`);
    expect(all.body).toMatchObject({ limit: 3, has_more: false });
    expect(all.body.data.map((m: any) => m.query)).toEqual(['q1', 'q2', 'q3']);
  });

  it('first_id must name a turn of this conversation: else 404 "First Message Not Exists."', async () => {
    const c = await withMessages([
      ['system', 's'],
      ['user', 'q1'],
      ['assistant', 'a1'],
      ['assistant', 'a1, more'],
    ]);
    const other = await withMessages([['user', 'elsewhere']]);
    for (const firstId of [
      renderId(c.ids[0]!, 'uuid'), // a system message
      renderId(c.ids[2]!, 'uuid'), // an answer inside a turn
      renderId(other.ids[0]!, 'uuid'), // another conversation's turn
      renderId('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'uuid'), // no such message
      c.ids[1]!, // a ULID: Dify's ids are UUIDs
      'not-an-id',
    ]) {
      const response = await history(`conversation_id=${c.uuid}&first_id=${firstId}`);
      expect(response, firstId).toMatchObject({
        status: 404,
        body: { code: 'not_found', message: 'First Message Not Exists.', status: 404 },
      });
    }
  });

  it('validates the query as Dify does, and reads an unknown or someone else’s conversation as not found', async () => {
    const c = await withMessages([['user', 'q']]);
    for (const query of [
      '',
      'user=alice',
      `conversation_id=${c.uuid}&limit=0`,
      `conversation_id=${c.uuid}&limit=101`,
    ]) {
      const response = await history(query);
      expect(response, query).toMatchObject({ status: 400, body: { code: 'invalid_param' } });
    }
    // An empty conversation_id is an empty page, as in Dify's MessageService.
    expect((await history('conversation_id=&user=alice')).body).toEqual({
      limit: 20,
      has_more: false,
      data: [],
    });
    for (const query of [
      `conversation_id=${renderId('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'uuid')}`,
      'conversation_id=not-an-id',
      `conversation_id=${c.uuid}&user=bob`,
    ]) {
      const response = await history(query);
      expect(response, query).toMatchObject({
        status: 404,
        body: { code: 'not_found', message: 'Conversation Not Exists.' },
      });
    }
    const asBob = await call(t.url, 'GET', `/v1/messages?conversation_id=${c.uuid}`, {
      key: bobKey,
    });
    expect(asBob.status).toBe(404);
  });
});
