/**
 * Inside a face's own prefix (derived from the routes: /api/florent, /v2, /api/conversations,
 * /v1, /openai), an unknown path and a wrong method answer in that face's shape, as the vendor's
 * server would; outside every face, the neutral JSON 404 stays.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApiDeps, createApiKey, renderId } from '@parley/api';
import { createTestDatabase } from '@parley/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facePrefix, faceForPath, faces } from '../../src/faces/index.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';

let t: TestApp;
let key: string;
let id: string;

beforeAll(async () => {
  t = await startTestApp();
  key = await t.key('acme', 'alice');
  id = (await call(t.url, 'POST', '/api/florent/conversations', { key, body: { title: 'T' } })).body
    .conversation._id;
});
afterAll(() => t.close());

const DIFY_NOT_FOUND = {
  code: 'not_found',
  message:
    'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  status: 404,
};

describe('each face’s prefix, from its routes', () => {
  it('is the shortest leading path no other face’s routes share', () => {
    expect(Object.fromEntries(faces.map((face) => [face.name, facePrefix(faces, face)]))).toEqual({
      Florent: '/api/florent',
      'orq.ai': '/v2',
      RAG: '/api/conversations',
      Dify: '/v1',
      OpenAI: '/openai',
    });
  });

  it('holds every route of the face, and only of that face', () => {
    for (const face of faces) {
      for (const r of face.routes) expect(faceForPath(faces, r.path.split('{')[0]!)).toBe(face);
    }
    for (const outside of ['/api', '/api/other', '/v3/conversations', '/trpc/x', '/', '/v10']) {
      expect(faceForPath(faces, outside), outside).toBeUndefined();
    }
  });
});

describe('an unknown path inside a face is that face’s 404', () => {
  const cases: [string, unknown][] = [
    ['/api/florent/nothing', { error: 'not_found' }],
    ['/api/florent/conversations/x/y', { error: 'not_found' }],
    ['/api/florent', { error: 'not_found' }],
    ['/v2/other', { message: 'No route for GET /v2/other.' }],
    ['/v2/conversations/x/y', { message: 'No route for GET /v2/conversations/x/y.' }],
    ['/api/conversations', { detail: 'Not Found' }],
    ['/api/conversations/x/messages', { detail: 'Not Found' }],
    ['/v1/conversations/x/y/z', DIFY_NOT_FOUND],
    ['/v1/chat-messages', DIFY_NOT_FOUND],
    ['/v1', DIFY_NOT_FOUND],
  ];
  it.each(cases)('%s', async (path, body) => {
    for (const credentials of [{ key }, {}]) {
      const response = await call(t.url, 'GET', path, credentials);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.body).toEqual(body);
      expect(faceForPath(faces, path)?.dialect.schema.safeParse(response.body).success).toBe(true);
    }
  });

  it('a query string does not enter orq’s message', async () => {
    const response = await call(t.url, 'GET', '/v2/other?secret=1', { key });
    expect(response.body).toEqual({ message: 'No route for GET /v2/other.' });
  });
});

describe('a wrong method on a face’s path is that face’s 405, with Allow', () => {
  const cases: [string, string, string, unknown][] = [
    ['PUT', `/api/florent/conversations/${'x'}`, 'PATCH', { error: 'method_not_allowed' }],
    ['GET', '/api/florent/conversations', 'POST', { error: 'method_not_allowed' }],
    [
      'PUT',
      '/v2/conversations',
      'POST, GET',
      { message: 'Method not allowed. Allowed: POST, GET.' },
    ],
    ['DELETE', '/api/conversations/x', 'GET, PATCH', { detail: 'Method Not Allowed' }],
    [
      'GET',
      '/v1/conversations/x/name',
      'POST',
      {
        code: 'method_not_allowed',
        message: 'The method is not allowed for the requested URL.',
        status: 405,
      },
    ],
    [
      'POST',
      '/v1/messages',
      'GET',
      {
        code: 'method_not_allowed',
        message: 'The method is not allowed for the requested URL.',
        status: 405,
      },
    ],
  ];
  it.each(cases)('%s %s', async (method, path, allow, body) => {
    const response = await call(t.url, method, path, { key });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.body).toEqual(body);
  });

  it('no wrong method changes anything', async () => {
    await call(t.url, 'PUT', `/api/florent/conversations/${id}`, { key, body: { title: 'No' } });
    await call(t.url, 'POST', `/v2/conversations/${renderId(id, 'orq')}`, {
      key,
      body: { displayName: 'No' },
    });
    const got = await call(t.url, 'GET', `/api/conversations/${id}`, { key });
    expect(got.body.title).toBe('T');
  });
});

describe('outside every face', () => {
  it.each(['/api/unknown', '/api', '/v3/conversations', '/nope'])(
    '%s is the neutral JSON 404',
    async (path) => {
      const response = await call(t.url, 'GET', path, { key });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: 'not_found', message: `No route for GET ${path}` });
    },
  );
});

describe('paths as Express matches them', () => {
  it('in any case and with one trailing slash', async () => {
    for (const path of [`/API/Florent/Conversations/${id}`, `/api/florent/conversations/${id}/`]) {
      const response = await call(t.url, 'PATCH', path, { key, body: { title: 'Cased' } });
      expect(response.status, path).toBe(200);
      expect(response.body.conversation._id, path).toBe(id);
    }
    const listed = await call(t.url, 'GET', '/V2/conversations/', { key });
    expect(listed.status).toBe(200);
  });

  it('HEAD on a GET route answers as GET does, without a body', async () => {
    const response = await fetch(`${t.url}/api/conversations/${id}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.text()).toBe('');
  });

  it('decodes a path parameter, and a malformed one is the face’s 404', async () => {
    const encoded = id.replace(/^(.)/, (c) => `%${c.charCodeAt(0).toString(16)}`);
    const decoded = await call(t.url, 'GET', `/api/conversations/${encoded}`, { key });
    expect(decoded.status).toBe(200);
    expect(decoded.body.id).toBe(id);
    for (const method of ['GET', 'PUT']) {
      const malformed = await call(t.url, method, '/api/conversations/%E0%A4%A', { key });
      expect(malformed.status, method).toBe(404);
      expect(malformed.body, method).toEqual({ detail: 'Conversation not found' });
    }
  });

  it('an empty segment is no parameter', async () => {
    const response = await call(t.url, 'PATCH', '/api/florent/conversations//', { key });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: 'not_found' });
  });
});

describe('what runs before a face still applies to its requests', () => {
  it('request id, security headers and rate limits on a face’s answers, errors included', async () => {
    for (const [method, path] of [
      ['PATCH', `/api/florent/conversations/${id}`],
      ['GET', '/api/florent/nothing'],
      ['GET', '/v2/conversations'],
    ] as const) {
      const response = await call(t.url, method, path, {
        key,
        body: method === 'PATCH' ? { title: 'Headers' } : undefined,
        headers: { 'x-request-id': 'routing-1' },
      });
      expect(response.headers.get('x-request-id'), path).toBe('routing-1');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('content-security-policy'), path).toContain("default-src 'self'");
      expect(response.headers.get('ratelimit'), path).toMatch(/^limit=\d+, remaining=\d+/);
    }
  });

  it('the routers of other paths answer them in any case, and only them', async () => {
    expect((await call(t.url, 'GET', '/OpenAPI.json')).status).toBe(200);
    expect((await call(t.url, 'GET', '/openapi.json/')).status).toBe(200);
    expect((await call(t.url, 'GET', '/docs')).status).toBe(200);
    const exported = await call(t.url, 'GET', '/API/Export/conversations.ndjson', { key });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect((await call(t.url, 'GET', '/api/exports', { key })).body).toEqual({
      error: 'not_found',
      message: 'No route for GET /api/exports',
    });
  });
});

describe('a failure of the middleware before the faces', () => {
  it('is the neutral 500 on every path, a face’s included', async () => {
    const database = await createTestDatabase();
    const alice = (await createApiKey(database.db, 'acme', 'alice')).key;
    const app = createApp({
      deps: createApiDeps({ db: database.db }),
      logger: createLogger('silent'),
      rateLimits: { perCredential: 100, perIp: 100 },
      hitCounter: () => Promise.reject(new Error('the counter is gone')),
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const cases: [string, string, unknown][] = [
        ['PATCH', '/api/florent/conversations/x', NEUTRAL_500],
        ['GET', '/v2/conversations', NEUTRAL_500],
        ['GET', '/api/export/conversations.ndjson', NEUTRAL_500],
        ['GET', '/openapi.json', NEUTRAL_500],
      ];
      for (const [method, path, body] of cases) {
        const response = await call(url, method, path, { key: alice });
        expect(response.status, path).toBe(500);
        expect(response.body, path).toEqual(body);
      }
    } finally {
      server.closeAllConnections();
      server.close();
      await database.close();
    }
  });
});

const NEUTRAL_500 = { error: 'internal_error', message: 'Internal server error' };
