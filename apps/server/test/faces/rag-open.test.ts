/**
 * PARLEY_RAG_OPEN_AS: off by default (the RAG face refuses a request without credentials, 401);
 * on, the RAG face alone serves requests without credentials as the configured user, while a
 * request that carries credentials is authenticated as always and every other face is unchanged.
 */
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';
import { trpc } from '../../testing/server-process.ts';

let open: TestApp;
let closed: TestApp;

beforeAll(async () => {
  [open, closed] = await Promise.all([
    startTestApp({ ragOpenAs: { org: 'acme', user: 'kiosk' } }),
    startTestApp(),
  ]);
});
afterAll(() => Promise.all([open.close(), closed.close()]));

const create = async (t: TestApp, key: string, title: string) =>
  (await trpc(t.url, 'mutation', 'conversation.create', { title }, key)).body.result.data
    .id as string;

describe('/openapi.json says which operations need credentials', () => {
  const securityOf = async (t: TestApp) => {
    const document = (await call(t.url, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { tags: string[]; security: unknown[] }>>;
    };
    const byFace: Record<string, unknown[][]> = {};
    for (const operations of Object.values(document.paths)) {
      for (const op of Object.values(operations)) (byFace[op.tags[0]!] ??= []).push(op.security);
    }
    return byFace;
  };

  it('on: the RAG face’s operations allow no credentials, every other face still needs them', async () => {
    const byFace = await securityOf(open);
    expect(byFace.RAG!.length).toBeGreaterThan(0);
    for (const security of byFace.RAG!) expect(security).toEqual([{}, { bearerAuth: [] }]);
    for (const [face, list] of Object.entries(byFace)) {
      if (face === 'RAG') continue;
      for (const security of list) expect(security, face).toEqual([{ bearerAuth: [] }]);
    }
  });

  it('off: every operation needs credentials', async () => {
    for (const list of Object.values(await securityOf(closed))) {
      for (const security of list) expect(security).toEqual([{ bearerAuth: [] }]);
    }
  });
});

describe('PARLEY_RAG_OPEN_AS on (acme/kiosk)', () => {
  let kiosk: string;
  let alice: string;
  let kiosks: string;
  let alices: string;

  beforeAll(async () => {
    kiosk = await open.key('acme', 'kiosk');
    alice = await open.key('acme', 'alice');
    kiosks = await create(open, kiosk, 'Kiosk chat');
    alices = await create(open, alice, 'Alice chat');
    await trpc(
      open.url,
      'mutation',
      'message.append',
      { conversationId: kiosks, role: 'user', content: 'Where is the library?' },
      kiosk,
    );
  });

  it('the RAG face reads and renames the configured user’s conversations without credentials', async () => {
    const got = await call(open.url, 'GET', `/api/conversations/${kiosks}`);
    expect(got).toMatchObject({
      status: 200,
      body: { id: kiosks, title: 'Kiosk chat', messages: [{ content: 'Where is the library?' }] },
    });
    const renamed = await call(open.url, 'PATCH', `/api/conversations/${kiosks}`, {
      body: { title: 'Library' },
    });
    expect(renamed).toMatchObject({ status: 200, body: { title: 'Library' } });
    const seen = await trpc(open.url, 'query', 'conversation.get', { id: kiosks }, kiosk);
    expect(seen.body.result.data).toMatchObject({
      title: 'Library',
      updatedById: expect.any(String),
    });
  });

  it('and nobody else’s: another user’s conversation is 404 without credentials', async () => {
    const response = await call(open.url, 'GET', `/api/conversations/${alices}`);
    expect(response).toMatchObject({ status: 404, body: { detail: 'Conversation not found' } });
  });

  it('a request that carries credentials is authenticated as always', async () => {
    const asAlice = await call(open.url, 'GET', `/api/conversations/${alices}`, { key: alice });
    expect(asAlice).toMatchObject({ status: 200, body: { title: 'Alice chat' } });
    expect(
      (await call(open.url, 'GET', `/api/conversations/${kiosks}`, { key: alice })).status,
    ).toBe(404);
    // An Authorization header, even an empty one, is credentials to check, never the open user.
    for (const [authorization, detail] of [
      ['Bearer pk_wrong', 'Invalid authentication credentials'],
      ['Basic YTpi', 'Invalid authentication credentials'],
      ['', 'Not authenticated'],
    ] as const) {
      const response = await call(open.url, 'GET', `/api/conversations/${kiosks}`, {
        headers: { authorization },
      });
      expect(response, authorization).toMatchObject({ status: 401, body: { detail } });
    }
  });

  it('every other face still refuses a request without credentials', async () => {
    const requests: [string, string, unknown?][] = [
      ['POST', '/api/florent/conversations', {}],
      ['PATCH', `/api/florent/conversations/${kiosks}`, { title: 'x' }],
      ['GET', '/v2/conversations'],
      ['GET', `/v2/conversations/${renderId(kiosks, 'orq')}`],
      ['GET', '/v1/conversations?user=kiosk'],
      ['GET', `/v1/messages?conversation_id=${renderId(kiosks, 'uuid')}&user=kiosk`],
      ['GET', `/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ id: kiosks }))}`],
    ];
    for (const [method, path, body] of requests) {
      const response = await call(open.url, method, path, { body });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });
});

describe('PARLEY_RAG_OPEN_AS off (the default)', () => {
  it('the RAG face refuses a request without credentials: 401 "Not authenticated"', async () => {
    const kiosk = await closed.key('acme', 'kiosk');
    const id = await create(closed, kiosk, 'Kiosk chat');
    for (const [method, body] of [['GET'], ['PATCH', { title: 'x' }]] as const) {
      const response = await call(closed.url, method, `/api/conversations/${id}`, { body });
      expect(response).toMatchObject({ status: 401, body: { detail: 'Not authenticated' } });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });
});
