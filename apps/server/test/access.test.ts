/**
 * Access control, as a matrix: (owner, another user of the same organization, another
 * organization, a revoked key, an expired token, a token with a bad signature, an unsigned
 * `alg: none` token, the stored hash of a key) × (every face route and tRPC procedure on a
 * conversation). Only the owner ever sees or changes it; the others get the API's 404 or 401,
 * and the stored data does not move.
 */
import { createApiKey, renderId, revokeApiKey } from '@parley/api';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../testing/in-process-app.ts';

const SECRET = 'access-matrix-secret-0123456789-abcdef';
let t: TestApp;
let id: string;
/** The conversation's one message, as the OpenAI face names it. */
let itemId: string;
const tokens: Record<string, string> = {};

const sign = (claims: Record<string, unknown>, secret = SECRET, expires = '5m') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(expires)
    .sign(new TextEncoder().encode(secret));

beforeAll(async () => {
  t = await startTestApp({
    auth: { jwtSecret: SECRET },
    rateLimits: { perCredential: 0, perIp: 0 },
  });
  tokens.owner = await t.key('acme', 'alice');
  tokens.ownerSession = await sign({ sub: 'alice', org: 'acme' });
  tokens.sameOrg = await t.key('acme', 'bob');
  tokens.otherOrg = await t.key('evil', 'alice'); // same user name, other organization
  const revoked = await createApiKey(t.database.db, 'acme', 'alice');
  await revokeApiKey(t.database.db, revoked.id);
  tokens.revoked = revoked.key;
  tokens.expired = await sign({ sub: 'alice', org: 'acme' }, SECRET, '-1m');
  tokens.badSignature = await sign(
    { sub: 'alice', org: 'acme' },
    'not-the-secret-0123456789-abcdefghij',
  );
  tokens.algNone = new UnsecuredJWT({ sub: 'alice', org: 'acme' }).encode();
  const stored = await t.database.db.apiKey.findFirstOrThrow({
    where: { revokedAt: null, user: { name: 'alice' } },
  });
  tokens.storedHash = stored.hash;
  const created = await call(t.url, 'POST', '/api/florent/conversations', {
    key: tokens.owner,
    body: { title: 'Private' },
  });
  id = created.body.conversation._id;
  await appendSecret();
});

/** The owner's message in the conversation, whose id the OpenAI item routes name. */
async function appendSecret() {
  const appended = await call(t.url, 'POST', '/trpc/message.append', {
    key: tokens.owner,
    body: { conversationId: id, role: 'user', content: 'secret' },
  });
  itemId = `msg_${(appended.body.result.data.id as string).toLowerCase()}`;
}

const openAi = () => `/openai/v1/conversations/${renderId(id, 'orq')}`;
afterAll(() => t.close());

// `user` is Dify's end user: each caller names itself. (An organization key may act for any user
// of its organization through Dify's `user`, as Dify's app keys do; see docs/security.md.)
type Op = [
  name: string,
  request: (user?: string) => [method: string, path: string, body?: unknown],
];
// Read-only or idempotent-in-effect operations are listed first; delete goes last for the owner.
const ops: Op[] = [
  ['Florent rename', () => ['PATCH', `/api/florent/conversations/${id}`, { title: 'Changed' }]],
  ['orq get', () => ['GET', `/v2/conversations/${renderId(id, 'orq')}`]],
  [
    'orq update',
    () => ['PATCH', `/v2/conversations/${renderId(id, 'orq')}`, { displayName: 'Changed' }],
  ],
  ['orq generate-name', () => ['POST', `/v2/conversations/${renderId(id, 'orq')}/generate-name`]],
  ['RAG get', () => ['GET', `/api/conversations/${id}`]],
  ['RAG update', () => ['PATCH', `/api/conversations/${id}`, { title: 'Changed' }]],
  [
    'Dify rename',
    (user = 'alice') => [
      'POST',
      `/v1/conversations/${renderId(id, 'uuid')}/name`,
      { name: 'Changed', user },
    ],
  ],
  [
    'Dify messages',
    (user = 'alice') => [
      'GET',
      `/v1/messages?conversation_id=${renderId(id, 'uuid')}&user=${user}`,
    ],
  ],
  [
    'tRPC get',
    () => ['GET', `/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ id }))}`],
  ],
  ['tRPC rename', () => ['POST', '/trpc/conversation.rename', { id, title: 'Changed' }]],
  [
    'tRPC export',
    () => [
      'GET',
      `/trpc/conversation.export?input=${encodeURIComponent(JSON.stringify({ id, format: 'markdown' }))}`,
    ],
  ],
  ['export JSON', () => ['GET', `/api/export/conversations/${id}.json`]],
  ['export Markdown', () => ['GET', `/api/export/conversations/${renderId(id, 'uuid')}.md`]],
  ['tRPC generateTitle', () => ['POST', '/trpc/conversation.generateTitle', { id }]],
  ['tRPC pin', () => ['POST', '/trpc/conversation.pin', { id }]],
  ['tRPC unpin', () => ['POST', '/trpc/conversation.unpin', { id }]],
  ['tRPC archive', () => ['POST', '/trpc/conversation.archive', { id }]],
  ['tRPC unarchive', () => ['POST', '/trpc/conversation.unarchive', { id }]],
  [
    'tRPC message.list',
    () => [
      'GET',
      `/trpc/message.list?input=${encodeURIComponent(JSON.stringify({ conversationId: id }))}`,
    ],
  ],
  [
    'tRPC message.append',
    () => ['POST', '/trpc/message.append', { conversationId: id, role: 'user', content: 'x' }],
  ],
  ['OpenAI get', () => ['GET', openAi()]],
  ['OpenAI update', () => ['POST', openAi(), { metadata: { changed: 'yes' } }]],
  ['OpenAI items list', () => ['GET', `${openAi()}/items`]],
  [
    'OpenAI items create',
    () => ['POST', `${openAi()}/items`, { items: [{ role: 'user', content: 'x' }] }],
  ],
  ['OpenAI item get', () => ['GET', `${openAi()}/items/${itemId}`]],
  ['orq delete', () => ['DELETE', `/v2/conversations/${renderId(id, 'orq')}`]],
  [
    'Dify delete',
    (user = 'alice') => ['DELETE', `/v1/conversations/${renderId(id, 'uuid')}`, { user }],
  ],
  ['tRPC delete', () => ['POST', '/trpc/conversation.delete', { id }]],
  ['OpenAI item delete', () => ['DELETE', `${openAi()}/items/${itemId}`]],
  ['OpenAI delete', () => ['DELETE', openAi()]],
];

/** Each list, as [name, path, the ids of the conversations listed (canonical)]. */
const lists = (user: string): [string, string, (body: any) => string[]][] => [
  [
    'orq list',
    '/v2/conversations',
    (body) => body.data.map((c: any) => (c._id as string).slice('conv_'.length).toUpperCase()),
  ],
  [
    'Dify list',
    `/v1/conversations?user=${user}`,
    (body) => body.data.map((c: any) => c.id as string),
  ],
  [
    'tRPC list',
    '/trpc/conversation.list',
    (body) => body.result.data.items.map((c: any) => c.id as string),
  ],
  [
    'NDJSON export',
    '/api/export/conversations.ndjson',
    // One line reads as a JSON object, several as text, none as no body.
    (body) =>
      (body === undefined
        ? []
        : typeof body === 'string'
          ? body
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line))
          : [body]
      ).map((doc: any) => doc.id as string),
  ],
];

const snapshot = async () => ({
  conversations: await t.database.db.conversation.findMany({ orderBy: { id: 'asc' } }),
  messages: await t.database.db.message.count(),
});

describe.each([
  ['another user of the same organization', 'sameOrg', 404, 'bob'],
  ['another organization', 'otherOrg', 404, 'alice'],
  ['a revoked key', 'revoked', 401],
  ['an expired token', 'expired', 401],
  ['a token with a bad signature', 'badSignature', 401],
  ['an unsigned alg:none token', 'algNone', 401],
  ['the stored hash of a key', 'storedHash', 401],
])('%s', (_who, token, status, user?: string) => {
  it.each(ops)(`%s is ${status}, and nothing changes`, async (_name, request) => {
    const before = await snapshot();
    const [method, path, body] = request(user);
    const response = await call(t.url, method, path, { key: tokens[token], body });
    expect(response.status).toBe(status);
    expect(JSON.stringify(response.body)).not.toMatch(/Private|secret/);
    expect(await snapshot()).toEqual(before);
  });

  // An import goes to the caller's own account, whatever ids the file names: a valid credential
  // of someone else gets its own copy and the original does not move; a refused one is 401.
  it(`an import naming the conversation's id leaves it alone`, async () => {
    const document = {
      format: 'parley.conversation',
      version: 1,
      id,
      title: 'Overwritten?',
      model: 'default',
      userDisplay: null,
      timezone: null,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      messages: [{ role: 'user', content: 'injected', createdAt: new Date().toISOString() }],
    };
    const original = await t.database.db.conversation.findUniqueOrThrow({ where: { id } });
    const originalMessages = await t.database.db.message.findMany({
      where: { conversationId: id },
    });
    const before = await snapshot();
    for (const [path, body] of [
      ['/api/import', document],
      ['/trpc/conversation.import', { content: JSON.stringify(document) }],
    ] as const) {
      const response = await call(t.url, 'POST', path, { key: tokens[token], body });
      expect(response.status, path).toBe(status === 404 ? 200 : 401);
      expect(JSON.stringify(response.body)).not.toMatch(/Private|secret/);
    }
    expect(await t.database.db.conversation.findUniqueOrThrow({ where: { id } })).toEqual(original);
    expect(await t.database.db.message.findMany({ where: { conversationId: id } })).toEqual(
      originalMessages,
    );
    if (status !== 404) expect(await snapshot()).toEqual(before);
    else {
      // The copy is the caller's (once: the second import found the first).
      const copies = await t.database.db.conversation.findMany({
        where: { title: 'Overwritten?' },
      });
      const owners = new Set(copies.map((c) => c.userId));
      expect(owners.has(original.userId)).toBe(false);
      await t.database.db.conversation.deleteMany({ where: { title: 'Overwritten?' } });
    }
  });

  // A valid credential of someone else lists its own (empty) conversations; a refused one is 401.
  const listStatus = status === 404 ? 200 : 401;
  it(`lists are ${listStatus} and do not show the conversation`, async () => {
    for (const [name, path, ids] of lists(user ?? 'alice')) {
      const response = await call(t.url, 'GET', path, { key: tokens[token] });
      expect(response.status, name).toBe(listStatus);
      if (listStatus === 200) expect(ids(response.body), name).toEqual([]);
      expect(JSON.stringify(response.body ?? null), name).not.toMatch(/Private|secret/);
    }
  });
});

describe('the owner', () => {
  it('sees the conversation in every list', async () => {
    for (const [name, path, ids] of lists('alice')) {
      const response = await call(t.url, 'GET', path, { key: tokens.owner });
      expect(response.status, name).toBe(200);
      const listed = ids(response.body);
      expect(listed, name).toContain(name === 'Dify list' ? renderId(id, 'uuid') : id);
    }
  });

  it('reaches the conversation through a session token too', async () => {
    const response = await call(t.url, 'GET', `/api/conversations/${id}`, {
      key: tokens.ownerSession,
    });
    expect(response).toMatchObject({ status: 200, body: { title: 'Private' } });
  });

  it.each(ops)('%s succeeds', async (name, request) => {
    const [method, path, body] = request();
    if (name.endsWith('delete')) {
      const recreated = await call(t.url, 'POST', '/api/florent/conversations', {
        key: tokens.owner,
        body: { title: 'Private' },
      });
      id = recreated.body.conversation._id;
      await appendSecret();
      const [m, p, b] = request();
      expect((await call(t.url, m, p, { key: tokens.owner, body: b })).status).toBeLessThan(300);
      return;
    }
    expect((await call(t.url, method, path, { key: tokens.owner, body })).status).toBeLessThan(300);
  });
});
