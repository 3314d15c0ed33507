/**
 * Parley's tRPC handler (http/trpc-adapter.ts) against tRPC's own Express adapter, over the same
 * database: every kind of request answers the same status, content type and body (single and
 * batched calls, a streamed batch, errors of every layer), so the thinner path changes nothing a
 * client sees.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appRouter, createApiDeps, createApiKey, createTRPCContext } from '@parley/api';
import { createTestDatabase, type TestDatabase } from '@parley/db/testing';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express, { type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trpcHandler } from '../src/http/trpc-adapter.ts';

let database: TestDatabase;
let key: string;
let id: string;
const servers: Server[] = [];
let theirs: string;
let ours: string;
const MAX_BODY = 4096;

async function serve(handler: RequestHandler): Promise<string> {
  const app = express();
  app.use('/trpc', handler);
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  database = await createTestDatabase();
  key = (await createApiKey(database.db, 'acme', 'alice')).key;
  const deps = createApiDeps({ db: database.db });
  const options = {
    router: appRouter,
    maxBodySize: MAX_BODY,
    maxBodyBytes: MAX_BODY,
    createContext: ({ req }: { req: express.Request }) =>
      createTRPCContext(deps, { authorization: req.headers.authorization }),
  };
  theirs = await serve(createExpressMiddleware(options));
  ours = await serve(trpcHandler(options));
  const created = await fetch(`${ours}/trpc/conversation.create`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Both' }),
  });
  id = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await database.close();
});

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));

type Encoded = [[unknown], ...[key: unknown, type: number, chunk: number][]];

/**
 * A streamed batch (JSON lines) in one order whatever order its procedures finished in: tRPC
 * numbers each promise's chunk and writes it when it settles, so two runs of the same batch
 * differ in line order and numbering by timing alone. Chunks are renumbered in the order the head
 * and the chunks before them refer to them, and written in that order.
 */
function canonicalStream(body: string): string {
  const [head, ...lines] = body
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  const chunks = lines as [chunk: number, status: number, value: Encoded][];
  const ids = new Map<number, number>();
  const refer = (value: Encoded) => {
    for (const [, , chunk] of value.slice(1) as [unknown, number, number][]) {
      if (!ids.has(chunk)) ids.set(chunk, ids.size);
    }
  };
  const renumber = (value: Encoded) => [
    value[0],
    ...(value.slice(1) as [unknown, number, number][]).map(([k, t, c]) => [k, t, ids.get(c)]),
  ];
  const heads = head as Record<string, Encoded>;
  for (const key of Object.keys(heads).sort()) refer(heads[key]!);
  for (const [old] of ids) for (const [chunk, , value] of chunks) if (chunk === old) refer(value);
  const canonical = chunks
    .map(([chunk, status, value]) => [ids.get(chunk)!, status, renumber(value)] as const)
    .sort((x, y) => x[0] - y[0]);
  const canonicalHead = Object.fromEntries(
    Object.keys(heads)
      .sort()
      .map((key) => [key, renumber(heads[key]!)]),
  );
  return [canonicalHead, ...canonical].map((line) => JSON.stringify(line)).join('\n');
}

/** What a client sees of an answer: status, type and body (times and versions of writes masked). */
async function answer(url: string, method: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    ...init,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
  });
  const raw = await response.text();
  const streamed = (init.headers as Record<string, string> | undefined)?.['trpc-accept'];
  const text = streamed && raw.includes('\n') ? canonicalStream(raw) : raw;
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    vary: response.headers.get('vary'),
    body: text
      .replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<time>"')
      .replace(/"version":\d+/g, '"version":"<n>"'),
  };
}

describe('the same answer as tRPC’s own adapter', () => {
  const cases: [string, string, string, RequestInit?][] = [
    ['a query', 'GET', '/trpc/conversation.list'],
    ['a query with input', 'GET', `/trpc/conversation.get?input=${input({ id: '<id>' })}`],
    ['a query’s NOT_FOUND', 'GET', `/trpc/conversation.get?input=${input({ id: 'nope' })}`],
    ['a query’s input malformed', 'GET', '/trpc/conversation.get?input=%7B'],
    [
      'a mutation',
      'POST',
      '/trpc/conversation.rename',
      { body: JSON.stringify({ id: '<id>', title: 'Same' }) },
    ],
    ['a mutation’s invalid input', 'POST', '/trpc/conversation.rename', { body: '{"id":1}' }],
    ['a malformed body', 'POST', '/trpc/conversation.rename', { body: '{"id":' }],
    ['an empty body', 'POST', '/trpc/conversation.rename', { body: '' }],
    [
      'a body over the limit',
      'POST',
      '/trpc/conversation.rename',
      { body: JSON.stringify({ id: '<id>', title: 'x'.repeat(MAX_BODY) }) },
    ],
    ['a body with a byte order mark', 'POST', '/trpc/conversation.list', { body: '\ufeff{}' }],
    ['a mutation by GET', 'GET', '/trpc/conversation.rename'],
    ['a query by POST', 'POST', '/trpc/conversation.list', { body: '{}' }],
    ['no such procedure', 'GET', '/trpc/conversation.nothing'],
    ['no credentials', 'GET', '/trpc/conversation.list', { headers: { authorization: '' } }],
    ['HEAD', 'HEAD', '/trpc/conversation.list'],
    [
      'a batch of queries',
      'GET',
      `/trpc/conversation.list,conversation.get?batch=1&input=${input({ 1: { id: '<id>' } })}`,
    ],
    [
      'a batch with an error',
      'GET',
      `/trpc/conversation.get,conversation.get?batch=1&input=${input({ 0: { id: '<id>' }, 1: { id: 'x' } })}`,
    ],
    [
      'a batch of mutations',
      'POST',
      '/trpc/conversation.rename,conversation.rename?batch=1',
      {
        body: JSON.stringify({ 0: { id: '<id>', title: 'A' }, 1: { id: '<id>', title: 'B' } }),
      },
    ],
    [
      'a streamed batch',
      'GET',
      `/trpc/conversation.list,conversation.get?batch=1&input=${input({ 1: { id: '<id>' } })}`,
      { headers: { 'trpc-accept': 'application/jsonl' } },
    ],
    [
      'a stream not batched',
      'GET',
      '/trpc/conversation.list',
      {
        headers: { 'trpc-accept': 'application/jsonl' },
      },
    ],
  ];
  it.each(cases)('%s', async (_name, method, path, init = {}) => {
    const withId = (text: string) => text.replaceAll('%3Cid%3E', id).replaceAll('<id>', id);
    const request = {
      ...init,
      body: typeof init.body === 'string' ? withId(init.body) : undefined,
    };
    const expected = await answer(theirs, method, withId(path), request);
    const got = await answer(ours, method, withId(path), request);
    expect(got).toEqual(expected);
  });
});

describe('a JSON answer', () => {
  it('goes out in one piece, with its length', async () => {
    const response = await fetch(`${ours}/trpc/conversation.list`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const body = await response.text();
    expect(response.headers.get('transfer-encoding')).toBeNull();
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
  });
});
