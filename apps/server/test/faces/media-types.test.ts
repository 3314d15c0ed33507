/**
 * A request body that is present but not JSON is refused with 415 in the face's shape and stores
 * nothing, on every route that reads a body, whatever the Content-Type claims (a JSON-looking
 * text/plain body too); an absent body stays allowed where the vendor allows one.
 */
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faces } from '../../src/faces/index.ts';
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

const snapshot = async () => ({
  conversations: await t.database.db.conversation.findMany({ orderBy: { id: 'asc' } }),
  messages: await t.database.db.message.findMany({ orderBy: { id: 'asc' } }),
});

/** Every route that reads a body, with a body it would accept as JSON. */
const ROUTES: [face: string, method: string, path: (id: string) => string, body: object][] = [
  ['Florent', 'POST', () => '/api/florent/conversations', { title: 'Dropped?' }],
  ['Florent', 'PATCH', (id) => `/api/florent/conversations/${id}`, { title: 'Dropped?' }],
  ['orq.ai', 'POST', () => '/v2/conversations', { displayName: 'Dropped?' }],
  [
    'orq.ai',
    'PATCH',
    (id) => `/v2/conversations/${renderId(id, 'orq')}`,
    { displayName: 'Dropped?' },
  ],
  ['RAG', 'PATCH', (id) => `/api/conversations/${id}`, { title: 'Dropped?' }],
  [
    'Dify',
    'POST',
    (id) => `/v1/conversations/${renderId(id, 'uuid')}/name`,
    { name: 'Dropped?', user: 'alice' },
  ],
  ['Dify', 'DELETE', (id) => `/v1/conversations/${renderId(id, 'uuid')}`, { user: 'alice' }],
];

/** Each face's exact 415 body. */
const EXPECTED: Record<string, unknown> = {
  Florent: { error: 'unsupported_media_type' },
  'orq.ai': {
    message: 'Unsupported media type: the request body must be JSON (application/json).',
  },
  RAG: { detail: 'Unsupported Media Type' },
  Dify: {
    code: 'unsupported_media_type',
    message:
      "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
    status: 415,
  },
};

/** Content types that are not JSON, each with the same JSON-looking text. */
const NOT_JSON: (string | undefined)[] = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/jsonp',
  undefined, // a body with no Content-Type at all
];

/**
 * Sends `chunks` as the body: one chunk is framed with Content-Length, several are sent chunked
 * (Transfer-Encoding), none is no body; fetch adds no Content-Type to bytes, so only `type` says one.
 */
async function send(method: string, path: string, type: string | undefined, chunks: string[]) {
  const bytes = chunks.map((chunk) => new TextEncoder().encode(chunk));
  const body =
    bytes.length === 0
      ? undefined
      : bytes.length === 1
        ? bytes[0]
        : new ReadableStream({
            start(controller) {
              for (const part of bytes) controller.enqueue(part);
              controller.close();
            },
          });
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(type !== undefined && { 'content-type': type }),
    },
    body,
    ...(bytes.length > 1 && { duplex: 'half' }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('a present body that is not JSON is 415 in the face’s shape, and stores nothing', () => {
  it.each(ROUTES)('%s %s', async (face, method, path, body) => {
    const before = await snapshot();
    const text = JSON.stringify(body);
    const dialect = faces.find((f) => f.name === face)!.dialect;
    for (const type of NOT_JSON) {
      const framed = await send(method, path(id), type, [text]);
      expect(framed.status, `${type}`).toBe(415);
      expect(framed.body, `${type}`).toEqual(EXPECTED[face]);
      expect(dialect.schema.safeParse(framed.body).success).toBe(true);
    }
    // Chunked, with no length: still a body.
    const chunked = await send(method, path(id), 'text/plain', [text.slice(0, 5), text.slice(5)]);
    expect(chunked.status).toBe(415);
    expect(chunked.body).toEqual(EXPECTED[face]);
    expect(await snapshot()).toEqual(before);
  });

  it('the case that was reported: a Florent create from a text/plain body no longer drops its title', async () => {
    const before = await snapshot();
    const response = await call(t.url, 'POST', '/api/florent/conversations', {
      key,
      rawBody: '{"title":"Q3 plan"}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(response).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    expect(await snapshot()).toEqual(before);
  });

  it('JSON in a charset the server does not read is 415 too', async () => {
    const response = await call(t.url, 'PATCH', `/api/conversations/${id}`, {
      key,
      rawBody: '{"title":"x"}',
      headers: { 'content-type': 'application/json; charset=latin1' },
    });
    expect(response).toMatchObject({ status: 415, body: { detail: 'Unsupported Media Type' } });
  });
});

describe('absent bodies and JSON bodies are read as before', () => {
  it('creates and a Dify delete without a body, with or without a Content-Type', async () => {
    for (const type of [undefined, 'text/plain', 'application/json']) {
      const florent = await send('POST', '/api/florent/conversations', type, []);
      expect(florent.status, `${type}`).toBe(201);
      // A body of zero bytes is no body either.
      const orq = await send('POST', '/v2/conversations', type, ['']);
      expect(orq.status, `${type}`).toBe(201);
      const doomed: string = (await call(t.url, 'POST', '/v2/conversations', { key, body: {} }))
        .body._id;
      const ulid = doomed.slice('conv_'.length).toUpperCase();
      const dify = await send('DELETE', `/v1/conversations/${renderId(ulid, 'uuid')}`, type, []);
      expect(dify.status, `${type}`).toBe(204);
    }
  });

  it('JSON under its structured-syntax suffix (application/*+json) is JSON', async () => {
    const response = await call(t.url, 'PATCH', `/api/florent/conversations/${id}`, {
      key,
      rawBody: '{"title":"Renamed as vnd+json"}',
      headers: { 'content-type': 'application/vnd.api+json' },
    });
    expect(response).toMatchObject({
      status: 200,
      body: { conversation: { title: 'Renamed as vnd+json' } },
    });
  });

  it('credentials are still checked first: an anonymous text/plain body is 401', async () => {
    const response = await call(t.url, 'POST', '/api/florent/conversations', {
      rawBody: '{"title":"x"}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(401);
  });
});
