/**
 * Property-based fuzzing of every REST route and tRPC procedure with random and adversarial
 * requests: wrong types, huge and deep bodies, prototype-pollution keys, lone surrogates and
 * invalid UTF-8, NUL bytes, ids in every face's format and near misses, garbage credentials and
 * content types. Invariants: never a 5xx; an error is in its API's documented shape; a refused
 * request leaves the database byte-for-byte as it was.
 *
 * PARLEY_FUZZ_RUNS raises the number of cases (default 300 per property). The cases come from a
 * fixed seed, so a run that fails fails again the same way; PARLEY_FUZZ_SEED picks another seed
 * (to explore, or to replay the one a failure names: fast-check prints it with the counterexample).
 */
import http from 'node:http';
import { renderId } from '@parley/api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceForPath, faces } from '../src/faces/index.ts';
import { call, startTestApp, type TestApp } from '../testing/in-process-app.ts';

const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 19);
if (!Number.isSafeInteger(RUNS) || !Number.isSafeInteger(SEED)) {
  throw new Error('PARLEY_FUZZ_RUNS and PARLEY_FUZZ_SEED must be integers');
}

let t: TestApp;
let key: string;
let otherKey: string;
let ownId: string;
let foreignId: string;
/** The one message of ownId, as the OpenAI face names it (msg_…). */
let ownItemId: string;

beforeAll(async () => {
  t = await startTestApp({ rateLimits: { perCredential: 0, perIp: 0 } });
  key = await t.key('acme', 'alice');
  otherKey = await t.key('evil', 'eve');
  ownId = (
    await call(t.url, 'POST', '/api/florent/conversations', { key, body: { title: 'Mine' } })
  ).body.conversation._id;
  foreignId = (
    await call(t.url, 'POST', '/api/florent/conversations', {
      key: otherKey,
      body: { title: 'Theirs' },
    })
  ).body.conversation._id;
  const appended = await call(t.url, 'POST', '/trpc/message.append', {
    key,
    body: { conversationId: ownId, role: 'user', content: 'hi' },
  });
  ownItemId = `msg_${(appended.body.result.data.id as string).toLowerCase()}`;
});
afterAll(() => t.close());

/** Every table of the model. */
const TABLES = ['Organization', 'User', 'ApiKey', 'Conversation', 'Message'];

/** Every row of every table, as text: equal dumps mean an unchanged database. */
async function dump(): Promise<string> {
  const rows = [];
  for (const name of TABLES) {
    rows.push([name, await t.database.db.$queryRawUnsafe(`SELECT * FROM "${name}" ORDER BY "id"`)]);
  }
  return JSON.stringify(rows);
}

// ---- generators -----------------------------------------------------------------------------

const hostile = fc.constantFrom(
  "' OR 1=1 --",
  '../../etc/passwd',
  '%2e%2e%2f',
  '\u0000',
  '\ud800',
  '\udfff lone',
  '👩🏽‍💻'.repeat(101),
  'a'.repeat(70_000),
  '<script>alert(1)</script>',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'null',
  '',
  ' ',
);

const idsOf = (ownId: string, foreignId: string, ownItemId: string) =>
  fc.oneof(
    fc.constantFrom(ownItemId, ownItemId.toUpperCase(), `msg_${ownId.toLowerCase()}`, 'msg_'),
    fc
      .constantFrom(ownId, foreignId)
      .chain((id) =>
        fc.constantFrom(
          id,
          renderId(id, 'orq'),
          renderId(id, 'uuid'),
          id.toLowerCase(),
          `${id}0`,
          id.slice(1),
          `conv_${id}`,
          ` ${id}`,
        ),
      ),
    fc.constantFrom(
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      '00000000-0000-0000-0000-000000000000',
      'conv_',
      'ZZZZZZZZZZZZZZZZZZZZZZZZZZ',
    ),
    hostile,
    fc.string({ maxLength: 40 }),
  );

const scalar = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  hostile,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const field = fc.constantFrom(
  'title',
  'displayName',
  'name',
  'user',
  'auto_generate',
  'userDisplay',
  'timezone',
  'id',
  'expectedVersion',
  'idempotencyKey',
  'conversationId',
  'role',
  'content',
  'limit',
  'cursor',
  'sort',
  'metadata',
  'items',
  'type',
  'text',
  '__proto__',
  'constructor',
  'prototype',
);
const shaped = fc.dictionary(
  field,
  fc.oneof(
    scalar,
    fc.array(scalar, { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), scalar, { maxKeys: 3 }),
  ),
  { maxKeys: 5 },
);
const deep = fc
  .nat(3000)
  .map((depth) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown);

/** A raw request body: JSON of shaped or arbitrary values, broken JSON, or invalid UTF-8 bytes. */
const rawBody = fc.oneof(
  { weight: 5, arbitrary: shaped.map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 2, arbitrary: fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 1, arbitrary: deep.map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constant(Buffer.from('{"title":"\xff\xfe"}', 'latin1')) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constant('own') },
  { weight: 1, arbitrary: fc.constant('other') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Bearer',
      'Bearer ',
      'bearer pk_x',
      'Basic YTpi',
      'Bearer a.b.c',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.',
    ),
  },
  { weight: 1, arbitrary: fc.constant('duplicate') },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)) },
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  undefined,
);

/** Percent-encodes; a lone surrogate becomes the invalid UTF-8 bytes of one (%ED%A0%80). */
function encodePathSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return `%ED%A0%80${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ''))}`;
  }
}

interface Target {
  method: string;
  path: string;
}

/** Every face route (with ids substituted), the same paths with other methods, and tRPC. */
const procedures = [
  'conversation.create',
  'conversation.createWithMessages',
  'conversation.rename',
  'conversation.setMetadata',
  'conversation.get',
  'conversation.list',
  'conversation.search',
  'conversation.delete',
  'conversation.generateTitle',
  'conversation.pin',
  'conversation.unpin',
  'conversation.archive',
  'conversation.unarchive',
  'message.append',
  'message.appendMany',
  'message.delete',
  'message.list',
  'conversation.export',
  'conversation.import',
  'message.get',
  'health.check',
  'nope.nothing',
];
const targetOf = (ids: fc.Arbitrary<string>, ownItems: string): fc.Arbitrary<Target> =>
  fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...faces.flatMap((f) => f.routes)),
        ids,
        ids,
        fc.boolean(),
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
      )
      .map(([r, id, itemId, sameMethod, otherMethod]) => ({
        method: sameMethod ? r.method.toUpperCase() : otherMethod,
        path: r.path
          .replace('{item_id}', encodePathSegment(itemId))
          .replace(/\{\w+\}/g, encodePathSegment(id)),
      })),
    fc
      .tuple(fc.constantFrom(...procedures), fc.constantFrom('GET', 'POST'), shaped)
      .map(([procedure, method, input]) => ({
        method,
        path:
          method === 'GET'
            ? `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`
            : `/trpc/${procedure}`,
      })),
    // Export and import: ids in the download paths, any method, any query on the import.
    fc
      .tuple(
        ids,
        fc.constantFrom('.json', '.md', '', '.ndjson', '.json.md'),
        fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'),
      )
      .map(([id, extension, method]) => ({
        method,
        path: `/api/export/conversations/${encodePathSegment(id)}${extension}`,
      })),
    fc
      .tuple(
        fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT'),
        fc.constantFrom('', '?format=parley', '?format=chatgpt', '?format=x', '?format=a&format=b'),
      )
      .map(([method, query]) => ({ method, path: `/api/import${query}` })),
    fc.constant({ method: 'GET', path: '/api/export/conversations.ndjson' }),
    fc
      .tuple(
        fc.constantFrom('/v1/conversations', '/v1/messages', '/v2/conversations', ownItems),
        fc.dictionary(
          fc.constantFrom(
            'user',
            'limit',
            'last_id',
            'first_id',
            'conversation_id',
            'sort_by',
            'pinned',
            'starting_after',
            'ending_before',
            'after',
            'order',
            'include',
            '__proto__',
          ),
          fc.oneof(hostile, fc.string({ maxLength: 20 }), ids),
          { maxKeys: 4 },
        ),
      )
      .map(([base, query]) => ({
        method: 'GET',
        path: `${base}?${new URLSearchParams(query).toString()}`,
      })),
  );

function send(
  target: Target,
  auth: string | undefined,
  type: string | undefined,
  body: Buffer | undefined,
) {
  const headers: Record<string, string | string[]> = {};
  if (auth === 'own') headers.authorization = `Bearer ${key}`;
  else if (auth === 'other') headers.authorization = `Bearer ${otherKey}`;
  else if (auth === 'duplicate') headers.authorization = [`Bearer ${key}`, `Bearer ${otherKey}`];
  else if (auth !== undefined) headers.authorization = auth;
  if (type) headers['content-type'] = type;
  // Framed with Content-Length even on GET, so the bytes are this request's body and not the
  // start of a second, unparseable request.
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
    const req = http.request(`${t.url}${target.path}`, { method: target.method, headers });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: text,
          type: String(res.headers['content-type'] ?? ''),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Node refuses a request line beyond its 16 KB header limit before any route sees it. */
const PARSER_LIMIT = 16 * 1024;

/** The error shape of the API a path belongs to. */
function expectErrorShape(path: string, status: number, text: string, type: string) {
  expect(type).toMatch(/application\/json/);
  const body: unknown = JSON.parse(text);
  if (path.length > PARSER_LIMIT) {
    expect(body).toEqual({ error: 'bad_request' });
    return;
  }
  if (path.startsWith('/trpc/')) {
    expect(body).toMatchObject({
      error: { data: { code: expect.any(String), httpStatus: status } },
    });
    return;
  }
  // Inside a face's prefix every answer is the face's, a path no route matches (an empty id, say)
  // and a wrong method included; outside, the neutral shape.
  const face = faceForPath(faces, path.split('?')[0]!);
  if (face) {
    const parsed = face.dialect.schema.safeParse(body);
    expect(parsed.success, `${path} ${status} ${text}`).toBe(true);
  } else {
    expect(body).toMatchObject({ error: expect.any(String) });
  }
}

describe('fuzzing every route and procedure', () => {
  it(`never answers 5xx, errors are in the API’s shape, and refused requests change nothing (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        targetOf(
          idsOf(ownId, foreignId, ownItemId),
          `/openai/v1/conversations/${renderId(ownId, 'orq')}/items`,
        ),
        authorization,
        contentType,
        rawBody,
        async (request, auth, type, body) => {
          const before = await dump();
          const response = await send(request, auth, type, body);
          expect(
            response.status,
            `${request.method} ${request.path} → ${response.body.slice(0, 300)}`,
          ).toBeLessThan(500);
          if (response.status >= 400) {
            expectErrorShape(request.path, response.status, response.body, response.type);
            expect(await dump()).toBe(before);
          }
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  }, 300_000);
});
