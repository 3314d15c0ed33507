/**
 * Inside a face's own prefix (derived from the routes: /api/florent, /v2, /api/conversations,
 * /v1, /openai), an unknown path and a wrong method answer in that face's shape, as the vendor's
 * server would; outside every face, the neutral JSON 404 stays.
 */
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facePrefix, faceForPath, faces } from '../../src/faces/index.ts';
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
