/**
 * Every face's validation errors name the field the client sent, in that face's words: Dify's
 * `name`, orq's `displayName`, Florent's and the RAG face's `title`, and each face's other fields,
 * never the router's name for them (a Dify client that sent no `name` must not read "title: …").
 */
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';

let t: TestApp;
let key: string;
let id: string;

beforeAll(async () => {
  t = await startTestApp();
  key = await t.key('acme', 'alice');
  id = (await call(t.url, 'POST', '/api/florent/conversations', { key, body: { title: 'Keep' } }))
    .body.conversation._id;
});
afterAll(() => t.close());

const TOO_LONG = 'x'.repeat(101);
const CONTROL = 'a\u0007b';
const BLANK = '   ';

/** [label, method, path, body, the field the error must name]. */
type Case = [string, string, (id: string) => string, unknown, string];

const FLORENT: Case[] = [
  ['create: blank title', 'POST', () => '/api/florent/conversations', { title: BLANK }, 'title'],
  ['create: long title', 'POST', () => '/api/florent/conversations', { title: TOO_LONG }, 'title'],
  ['create: title type', 'POST', () => '/api/florent/conversations', { title: 5 }, 'title'],
  [
    'create: blank userDisplay',
    'POST',
    () => '/api/florent/conversations',
    { userDisplay: ' ' },
    'userDisplay',
  ],
  [
    'create: unknown timezone',
    'POST',
    () => '/api/florent/conversations',
    { timezone: 'Mars/Olympus_Mons' },
    'timezone',
  ],
  [
    'rename: control title',
    'PATCH',
    (id) => `/api/florent/conversations/${id}`,
    { title: CONTROL },
    'title',
  ],
  ['rename: no title', 'PATCH', (id) => `/api/florent/conversations/${id}`, {}, 'title'],
];

const ORQ: Case[] = [
  ['create: blank', 'POST', () => '/v2/conversations', { displayName: BLANK }, 'displayName'],
  ['create: type', 'POST', () => '/v2/conversations', { displayName: 5 }, 'displayName'],
  [
    'update: too long',
    'PATCH',
    (id) => `/v2/conversations/${renderId(id, 'orq')}`,
    { displayName: TOO_LONG },
    'displayName',
  ],
  [
    'update: control',
    'PATCH',
    (id) => `/v2/conversations/${renderId(id, 'orq')}`,
    { displayName: CONTROL },
    'displayName',
  ],
  [
    'update: blank',
    'PATCH',
    (id) => `/v2/conversations/${renderId(id, 'orq')}`,
    { displayName: '' },
    'displayName',
  ],
];

const DIFY: Case[] = [
  ['no name', 'POST', (id) => difyName(id), { user: 'alice' }, 'name'],
  ['null name', 'POST', (id) => difyName(id), { name: null, user: 'alice' }, 'name'],
  ['blank name', 'POST', (id) => difyName(id), { name: BLANK, user: 'alice' }, 'name'],
  ['long name', 'POST', (id) => difyName(id), { name: TOO_LONG, user: 'alice' }, 'name'],
  ['control name', 'POST', (id) => difyName(id), { name: CONTROL, user: 'alice' }, 'name'],
  ['name type', 'POST', (id) => difyName(id), { name: 5, user: 'alice' }, 'name'],
  [
    'auto_generate type',
    'POST',
    (id) => difyName(id),
    { name: 'x', user: 'alice', auto_generate: 'yes' },
    'auto_generate',
  ],
  ['no user', 'POST', (id) => difyName(id), { name: 'x' }, 'user'],
  ['list limit', 'GET', () => '/v1/conversations?user=alice&limit=0', undefined, 'limit'],
  ['list sort_by', 'GET', () => '/v1/conversations?user=alice&sort_by=title', undefined, 'sort_by'],
];

const RAG: Case[] = [
  ['blank title', 'PATCH', (id) => `/api/conversations/${id}`, { title: BLANK }, 'title'],
  ['long title', 'PATCH', (id) => `/api/conversations/${id}`, { title: TOO_LONG }, 'title'],
  ['control title', 'PATCH', (id) => `/api/conversations/${id}`, { title: CONTROL }, 'title'],
];

function difyName(id: string) {
  return `/v1/conversations/${renderId(id, 'uuid')}/name`;
}

const send = ([, method, path, body]: Case) => call(t.url, method, path(id), { key, body });

describe('Florent: issues name the field by its path, and the message by the same name', () => {
  it.each(FLORENT)('%s', async (...c) => {
    const response = await send(c);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_body');
    for (const issue of response.body.issues) {
      expect(issue.path, JSON.stringify(issue)).toEqual([c[4]]);
      if (c[4] === 'title') expect(issue.message).not.toMatch(/\b(name|displayName)\b/);
    }
  });
});

describe('orq.ai: the message names displayName, never title', () => {
  it.each(ORQ)('%s', async (...c) => {
    const response = await send(c);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^displayName\b/);
    expect(response.body.message).not.toMatch(/title/i);
  });
});

describe('Dify: the message names the body or query field, never title', () => {
  it.each(DIFY)('%s', async (...c) => {
    const response = await send(c);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_param', status: 400 });
    expect(response.body.message).toMatch(new RegExp(`^${c[4]}\\b`));
    expect(response.body.message).not.toMatch(/title/i);
  });

  it('a missing or blank name is refused in Dify’s own words', async () => {
    for (const body of [{ user: 'alice' }, { name: '  ', user: 'alice', auto_generate: false }]) {
      const response = await call(t.url, 'POST', difyName(id), { key, body });
      expect(response.body).toEqual({
        code: 'invalid_param',
        message: 'name is required when auto_generate is false',
        status: 400,
      });
    }
  });

  it('the other title rules speak of name', async () => {
    const response = await call(t.url, 'POST', difyName(id), {
      key,
      body: { name: TOO_LONG, user: 'alice' },
    });
    expect(response.body.message).toBe('name must be at most 100 characters.');
  });
});

describe('RAG: loc is ["body", "title"] and the message speaks of the title', () => {
  it.each(RAG)('%s', async (...c) => {
    const response = await send(c);
    expect(response.status).toBe(422);
    for (const error of response.body.detail) {
      expect(error.loc).toEqual(['body', 'title']);
      expect(error.msg).not.toMatch(/\b(name|displayName)\b/);
    }
  });
});

it('none of it changed the conversation', async () => {
  const got = await call(t.url, 'GET', `/v2/conversations/${renderId(id, 'orq')}`, { key });
  expect(got.body).toMatchObject({ displayName: 'Keep' });
  expect(got.headers.get('etag')).toBe('"1"');
});
