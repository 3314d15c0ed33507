/** The Express app in-process on an ephemeral 127.0.0.1 port, against a real temporary database. */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApiKey, createAuthenticator, createInProcessEvents } from '@parley/api';
import { createTestDatabase, type TestDatabase } from '@parley/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';
import { trpc } from './process.ts';

let database: TestDatabase;
let server: Server;
let url: string;
let key: string;
let logText = '';

beforeAll(async () => {
  database = await createTestDatabase();
  const logger = createLogger(
    'info',
    new Writable({ write: (chunk: Buffer, _enc, done) => ((logText += chunk.toString()), done()) }),
  );
  const deps = {
    db: database.db,
    authenticate: createAuthenticator(database.db, {}),
    events: createInProcessEvents(),
  };
  server = createApp({ deps, logger }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  key = (await createApiKey(database.db, 'acme', 'alice')).key;
});

afterAll(async () => {
  server.close();
  await database.close();
});

describe('HTTP surface', () => {
  it('/healthz answers 200 when the database does', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
  });

  it('sends back a request id, keeping a sane one the caller gave', async () => {
    const given = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const garbage = await fetch(`${url}/healthz`, {
      headers: { 'x-request-id': 'no spaces <allowed>' },
    });
    expect(garbage.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown paths with JSON 404, never HTML', async () => {
    const response = await fetch(`${url}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('turns bad tRPC input into 4xx, never 5xx, and stores nothing', async () => {
    const before = await database.db.conversation.count();
    const cases: [string, string | undefined][] = [
      ['{', 'application/json'],
      ['"just a string"', 'application/json'],
      ['{"title": 42}', 'application/json'],
      ['{"title": "' + 'x'.repeat(200) + '"}', 'application/json'],
      ['{"__proto__": {"admin": true}, "title": "ok?"}', 'text/plain'],
      ['', undefined],
    ];
    for (const [body, type] of cases) {
      const response = await fetch(`${url}/trpc/conversation.rename`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, ...(type && { 'content-type': type }) },
        body,
      });
      expect(response.status, body).toBeGreaterThanOrEqual(400);
      expect(response.status, body).toBeLessThan(500);
    }
    expect(await database.db.conversation.count()).toBe(before);
  });

  it('serves zod issues in the tRPC error shape', async () => {
    const { status, body } = await trpc(
      url,
      'mutation',
      'conversation.create',
      { title: ' ' },
      key,
    );
    expect(status).toBe(400);
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.data.zodError.fieldErrors.title).toEqual([
      'Title must not be empty or only whitespace.',
    ]);
  });

  it('answers a wrong method on a procedure with 4xx', async () => {
    const response = await fetch(`${url}/trpc/conversation.rename?input=%7B%7D`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(405);
  });

  it('never writes the bearer token to the log', async () => {
    await trpc(url, 'query', 'conversation.list', {}, key);
    expect(logText).toContain('"url":"/trpc/conversation.list');
    expect(logText).not.toContain(key);
  });
});
