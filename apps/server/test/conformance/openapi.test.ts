/**
 * /openapi.json is a valid OpenAPI 3.1 document that describes exactly the REST routes the server
 * answers (derived from the Express app itself), with the bearer scheme, and every status an
 * operation answers (success and errors) documented with a schema its body validates against.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { newId, renderId } from '@parley/api';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';
import { trpc } from '../../testing/server-process.ts';
import { appendMessage, createConversation, UNKNOWN } from './schemas.ts';

let t: TestApp;
let alice: string;
let doc: any;
/** The same document with every $ref resolved (swagger-parser). */
let resolved: any;

beforeAll(async () => {
  t = await startTestApp();
  alice = await t.key('acme', 'alice');
  const response = await fetch(`${t.url}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  doc = await response.json();
  resolved = await SwaggerParser.dereference(structuredClone(doc));
});
afterAll(() => t.close());

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];
/**
 * Served by the server but not REST faces (with what is under them): not in the faces' part of
 * the document. Export and import are documented too, and checked in test/portability.test.ts.
 */
const NOT_FACES = ['/healthz', '/openapi.json', '/docs', '/api/export', '/api/import'];
const face = (route: string) => !NOT_FACES.some((p) => route === p || route.startsWith(`${p}/`));

/** Every documented operation as "method path" (OpenAPI path syntax). */
function documentedOperations(): string[] {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .filter(([route]) => face(route))
    .flatMap(([route, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m} ${route}`),
    );
}

/**
 * Every method + path the Express app routes, read from its router stack (Express 5): nested
 * routers' route layers, `:param` rewritten to `{param}`; `all` (the 405 answer) is not a method.
 */
function servedOperations(): string[] {
  const found: string[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        if (typeof layer.route.path !== 'string') continue; // regex routes: the web app's fallback
        const route = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== '_all') found.push(`${method} ${route}`);
        }
      } else if (Array.isArray(layer.handle?.operations)) {
        // The faces: one middleware that matches their routes itself (faces/kit/mount.ts).
        found.push(...layer.handle.operations);
      } else if (Array.isArray(layer.handle?.stack)) {
        // A nested router mounted at the root (app.use(router)).
        expect(layer.slash, 'nested router mounted at /').toBe(true);
        walk(layer.handle.stack, prefix);
      }
    }
  };
  walk((t.app as any).router.stack, '');
  return found.filter((op) => face(op.split(' ')[1]!));
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('declares the bearer scheme, and every operation requires it', () => {
    const schemes = doc.components?.securitySchemes ?? {};
    const bearer = Object.entries(schemes).filter(
      ([, s]: [string, any]) => s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer',
    );
    expect(bearer.length, JSON.stringify(schemes)).toBeGreaterThan(0);
    const names = bearer.map(([name]) => name);
    for (const op of documentedOperations()) {
      const [method, route] = op.split(' ') as [string, string];
      const security = doc.paths[route][method].security ?? doc.security;
      expect(
        (security ?? []).some((req: object) => Object.keys(req).some((n) => names.includes(n))),
        op,
      ).toBe(true);
    }
  });

  it('documents exactly the face routes the server serves', () => {
    const served = servedOperations().sort();
    const documented = documentedOperations().sort();
    expect(served.length).toBeGreaterThan(0);
    expect(documented).toEqual(served);
  });

  it('documents each operation’s error responses in its face’s error shape', () => {
    for (const op of documentedOperations()) {
      const [method, route] = op.split(' ') as [string, string];
      const operation = resolved.paths[route][method];
      const statuses = Object.keys(operation.responses);
      const params: any[] = operation.parameters ?? [];
      const expected = ['401', '429'];
      if (params.some((p) => p.in === 'path')) expected.push('404');
      if (operation.requestBody || params.some((p) => p.in === 'query')) {
        expected.push(route.startsWith('/api/conversations') ? '422' : '400');
      }
      if (operation.requestBody) expected.push('413', '415');
      if (params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match')) {
        expected.push('412');
      }
      for (const status of expected) {
        expect(statuses, `${op} documents ${status}`).toContain(status);
      }
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const schema = operation.responses[status].content?.['application/json']?.schema;
        expect(schema, `${op} ${status} has a JSON schema`).toBeTruthy();
      }
    }
  });

  it('documents id schemas that accept every id the faces render', () => {
    // New ids (UUIDv7 bits), and for the faces that render ULIDs also ids made before (plain
    // ULID bits: the ULID spec's example, ids.ts's, and the extremes), which keep their format.
    const fresh = Array.from({ length: 20 }, () => newId());
    const before = [
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      '01J9Z3Q4X8M2V7K5T6R1N0P3QB',
      '00000000000000000000000000',
      '7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
    ];
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const cases: [string, string, string[], 'ulid' | 'orq' | 'uuid'][] = [
      ['post /api/florent/conversations', '201', ['conversation', '_id'], 'ulid'],
      ['patch /api/florent/conversations/{id}', '200', ['conversation', '_id'], 'ulid'],
      ['patch /v2/conversations/{conversation_id}', '200', ['_id'], 'orq'],
      ['get /v2/conversations', '200', ['data', '[]', '_id'], 'orq'],
      ['patch /api/conversations/{conversation_id}', '200', ['id'], 'ulid'],
      ['post /v1/conversations/{conversation_id}/name', '200', ['id'], 'uuid'],
      ['get /v1/conversations', '200', ['data', '[]', 'id'], 'uuid'],
    ];
    for (const [op, status, where, format] of cases) {
      const [method, route] = op.split(' ') as [string, string];
      let schema =
        resolved.paths[route][method].responses[status].content['application/json'].schema;
      for (const step of where) schema = step === '[]' ? schema.items : schema.properties[step];
      const validate = ajv.compile(schema);
      for (const ulid of format === 'uuid' ? fresh : [...fresh, ...before]) {
        const id = renderId(ulid, format);
        expect(validate(id), `${op}: ${id} against ${JSON.stringify(schema)}`).toBe(true);
      }
      // Dify documents a v7 UUID, which is what a strict client checks; older ids are not one.
      if (format === 'uuid') expect(validate(renderId(before[1]!, 'uuid'))).toBe(false);
    }
  });

  it('every documented path is served: it answers, not the neutral 404', async () => {
    for (const op of documentedOperations()) {
      const [method, route] = op.split(' ') as [string, string];
      const response = await call(t.url, method.toUpperCase(), fill(route, 'x'), {});
      expect(response.body?.error, op).not.toBe('not_found');
      expect(response.status, op).toBe(401);
    }
  });
});

// --- Each operation, probed: every status it answers is documented, with a matching schema. ---

interface Probe {
  body?: unknown;
  query?: string;
  /** A query that names a conversation (by its Dify id), instead of `query`. */
  queryFor?: (uuid: string) => string;
  badQuery?: string;
  /** Needs a user message first (automatic naming). */
  messages?: boolean;
  /** Names a message of the conversation too (the OpenAI face's `{item_id}`). */
  item?: boolean;
}

/** How to call each documented operation successfully; the test fails when one is missing. */
const PROBES: Record<string, Probe> = {
  'post /api/florent/conversations': { body: { title: 'Probe' } },
  'patch /api/florent/conversations/{id}': { body: { title: 'Probe' } },
  'post /v2/conversations': { body: { displayName: 'Probe' } },
  'get /v2/conversations': { query: 'limit=5', badQuery: 'limit=0' },
  'get /v2/conversations/{conversation_id}': {},
  'patch /v2/conversations/{conversation_id}': { body: { displayName: 'Probe' } },
  'delete /v2/conversations/{conversation_id}': {},
  'post /v2/conversations/{conversation_id}/generate-name': { messages: true },
  'get /api/conversations/{conversation_id}': {},
  'patch /api/conversations/{conversation_id}': { body: { title: 'Probe' } },
  'post /v1/conversations/{conversation_id}/name': { body: { name: 'Probe', user: 'alice' } },
  'get /v1/conversations': { query: 'user=alice&limit=5', badQuery: 'user=alice&limit=0' },
  'delete /v1/conversations/{conversation_id}': { body: { user: 'alice' } },
  'get /v1/messages': {
    queryFor: (uuid) => `conversation_id=${uuid}&user=alice&limit=5`,
    messages: true,
    badQuery: 'conversation_id=x&user=alice&limit=0',
  },
  'post /openai/v1/conversations': { body: { metadata: { probe: 'yes' } } },
  'get /openai/v1/conversations/{conversation_id}': {},
  'post /openai/v1/conversations/{conversation_id}': { body: { metadata: { probe: 'yes' } } },
  'delete /openai/v1/conversations/{conversation_id}': {},
  'get /openai/v1/conversations/{conversation_id}/items': {
    query: 'limit=5&order=asc',
    badQuery: 'limit=0',
  },
  'post /openai/v1/conversations/{conversation_id}/items': {
    body: { items: [{ role: 'user', content: 'Probe' }] },
  },
  'get /openai/v1/conversations/{conversation_id}/items/{item_id}': { item: true },
  'delete /openai/v1/conversations/{conversation_id}/items/{item_id}': { item: true },
};

/** The OpenAI face's id of each probe conversation's message, by the conversation's ULID. */
const itemIds = new Map<string, string>();
const UNKNOWN_ITEM = 'msg_01j00000000000000000000000';

/** The path with its parameter filled in. */
function fill(route: string, id: string, itemId = UNKNOWN_ITEM): string {
  return route
    .replace('{item_id}', encodeURIComponent(itemId))
    .replace(/\{\w+\}/g, encodeURIComponent(id));
}

/** A conversation id as the face of `route` renders it. */
function idFor(route: string, ulid: string): string {
  if (route.startsWith('/v2/') || route.startsWith('/openai/')) return renderId(ulid, 'orq');
  if (route.startsWith('/v1/')) return renderId(ulid, 'uuid');
  return renderId(ulid, 'ulid');
}

function unknownFor(route: string): string {
  if (route.startsWith('/v2/') || route.startsWith('/openai/')) return UNKNOWN.orq;
  if (route.startsWith('/v1/')) return UNKNOWN.uuid;
  return UNKNOWN.ulid;
}

describe('each operation, probed, answers only documented statuses and shapes', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);

  it('has a probe for every documented operation', () => {
    expect(Object.keys(PROBES).sort()).toEqual(documentedOperations().sort());
  });

  it.each(Object.keys(PROBES))('%s', async (op) => {
    const [method, route] = op.split(' ') as [string, string];
    const probe = PROBES[op]!;
    const operation = resolved.paths[route]?.[method];
    expect(operation, `${op} is documented`).toBeTruthy();
    const hasId = route.includes('{');
    const params: any[] = operation.parameters ?? [];
    const ifMatch = params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match');

    const seen: string[] = [];
    const check = async (
      label: string,
      ulid: string | null,
      options: {
        key?: string;
        body?: unknown;
        rawBody?: string;
        query?: string;
        headers?: Record<string, string>;
      },
    ) => {
      const target = hasId
        ? fill(
            route,
            ulid ? idFor(route, ulid) : unknownFor(route),
            (ulid && itemIds.get(ulid)) || UNKNOWN_ITEM,
          )
        : route;
      const response = await call(
        t.url,
        method.toUpperCase(),
        `${target}${options.query ? `?${options.query}` : ''}`,
        {
          ...(options.key && { key: options.key }),
          ...(options.body !== undefined && { body: options.body }),
          ...(options.rawBody !== undefined && { rawBody: options.rawBody }),
          headers: {
            ...(options.rawBody !== undefined && { 'content-type': 'application/json' }),
            ...options.headers,
          },
        },
      );
      const status = String(response.status);
      seen.push(`${label}→${status}`);
      const documented = operation.responses[status];
      expect(
        documented,
        `${op} ${label}: ${status} is documented (${JSON.stringify(response.body)})`,
      ).toBeTruthy();
      const schema = documented.content?.['application/json']?.schema;
      if (schema) {
        const validate = ajv.compile(schema);
        expect(
          validate(response.body),
          `${op} ${label} ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body)}`,
        ).toBe(true);
      } else {
        expect(response.body, `${op} ${label} ${status} has no body`).toBeUndefined();
      }
      return response.status;
    };

    const fresh = async () => {
      const { id } = await createConversation(t.url, alice, 'Probe target');
      if (probe.messages) await appendMessage(t.url, alice, id, 'user', 'Name me from this');
      if (probe.item) {
        const { body } = await trpc(
          t.url,
          'mutation',
          'message.append',
          { conversationId: id, role: 'user', content: 'An item' },
          alice,
        );
        itemIds.set(id, `msg_${(body.result.data.id as string).toLowerCase()}`);
      }
      return id;
    };
    const valid = {
      key: alice,
      body: probe.body,
      query: probe.queryFor ? probe.queryFor(renderId(await fresh(), 'uuid')) : probe.query,
    };

    expect(await check('success', hasId ? await fresh() : null, valid)).toBeLessThan(300);
    expect(
      await check('no credentials', hasId ? await fresh() : null, { ...valid, key: undefined }),
    ).toBe(401);
    expect(
      await check('bad credentials', hasId ? await fresh() : null, { ...valid, key: 'bad' }),
    ).toBe(401);
    if (hasId) expect(await check('unknown id', null, valid)).toBe(404);
    if (probe.queryFor) {
      const unknown = { ...valid, query: probe.queryFor(UNKNOWN.uuid) };
      expect(await check('unknown id', null, unknown)).toBe(404);
    }
    if (operation.requestBody) {
      const invalid = await check('invalid body', await fresh(), { ...valid, body: [] });
      expect([400, 422]).toContain(invalid);
      const malformed = await check('malformed JSON', await fresh(), {
        ...valid,
        body: undefined,
        rawBody: '{"',
      });
      expect([400, 422]).toContain(malformed);
      const notJson = await check('a body that is not JSON', await fresh(), {
        ...valid,
        body: undefined,
        rawBody: JSON.stringify(probe.body ?? {}),
        headers: { 'content-type': 'text/plain' },
      });
      expect(notJson).toBe(415);
      const huge = await check('oversized body', hasId ? await fresh() : null, {
        ...valid,
        body: { ...(probe.body as object), padding: 'x'.repeat(100_000) },
      });
      expect(huge).toBe(413);
    }
    if (probe.badQuery) {
      expect([400, 422]).toContain(
        await check('invalid query', null, { ...valid, query: probe.badQuery }),
      );
    }
    if (ifMatch) {
      expect(
        await check('stale If-Match', await fresh(), { ...valid, headers: { 'if-match': '"9"' } }),
      ).toBe(412);
    }
    expect(seen.length).toBeGreaterThan(2);
  });
});

describe('around the faces', () => {
  it('/docs answers an HTML page that loads /openapi.json', async () => {
    const response = await fetch(`${t.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/<html/i);
    expect(html).toContain('/openapi.json');
  });

  it('an unknown path is a JSON 404, in the shape its face documents; a known path with another method is 405 + Allow, likewise', async () => {
    const ajv = new Ajv2020({ strict: false });
    // An unknown path inside each face, and an operation of that face whose 404 it must match.
    const cases: [string, string][] = [
      ['/api/florent/nope', 'patch /api/florent/conversations/{id}'],
      ['/v2/nothing', 'get /v2/conversations/{conversation_id}'],
      ['/api/conversations/x/y', 'get /api/conversations/{conversation_id}'],
      ['/v1/conversations/x/y/z', 'delete /v1/conversations/{conversation_id}'],
      ['/openai/v1/nothing', 'get /openai/v1/conversations/{conversation_id}'],
    ];
    for (const [route, op] of cases) {
      const [method, path] = op.split(' ') as [string, string];
      const response = await call(t.url, 'GET', route, { key: alice });
      expect(response.status, route).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const schema =
        resolved.paths[path][method].responses['404'].content['application/json'].schema;
      expect(ajv.compile(schema)(response.body), `${route}: ${JSON.stringify(response.body)}`).toBe(
        true,
      );
    }
    // Outside every face: the neutral one.
    const outside = await call(t.url, 'GET', '/api', { key: alice });
    expect(outside).toMatchObject({ status: 404, body: { error: 'not_found' } });
    for (const op of documentedOperations()) {
      const [method, route] = op.split(' ') as [string, string];
      const allowed = Object.keys(doc.paths[route]).filter((m) => METHODS.includes(m));
      const other = ['put', 'post', 'patch', 'delete', 'get'].find((m) => !allowed.includes(m))!;
      const response = await call(t.url, other.toUpperCase(), fill(route, 'x'), { key: alice });
      expect(response.status, `${other} ${route}`).toBe(405);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      // The same error shape the operation documents for its other errors.
      const schema =
        resolved.paths[route][method].responses['401'].content['application/json'].schema;
      expect(ajv.compile(schema)(response.body), `${other} ${route}`).toBe(true);
      expect(
        response.headers
          .get('allow')
          ?.split(/,\s*/)
          .map((m) => m.toLowerCase())
          .sort(),
        `${method} ${route}`,
      ).toEqual([...allowed].sort());
    }
  });
});
