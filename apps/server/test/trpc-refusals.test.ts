/**
 * Requests refused before the tRPC router sees them (a rate limit, a body that is not JSON) still
 * get tRPC's error envelope, exactly as a tRPC client reads it: JSON-RPC code, tRPC code name,
 * HTTP status and procedure path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../testing/in-process-app.ts';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await startTestApp({ rateLimits: { perCredential: 2, perIp: 0 } });
  key = await t.key('acme', 'alice');
});

afterAll(() => t?.close());

describe("tRPC's envelope for refusals outside the router", () => {
  it('415 for a body that is not JSON', async () => {
    const refused = await call(t.url, 'POST', '/trpc/conversation.rename', {
      key,
      rawBody: 'title=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
    expect(refused.status).toBe(415);
    expect(refused.body).toEqual({
      error: {
        message:
          'Unsupported content-type "application/x-www-form-urlencoded": send application/json',
        code: -32015,
        data: { code: 'UNSUPPORTED_MEDIA_TYPE', httpStatus: 415, path: 'conversation.rename' },
      },
    });
  });

  it('429 past the rate limit', async () => {
    // The 415 above counted once against this key's limit of 2.
    expect((await call(t.url, 'GET', '/trpc/conversation.list', { key })).status).toBe(200);
    const refused = await call(t.url, 'GET', '/trpc/conversation.list', { key });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: {
        message: 'Too many requests.',
        code: -32029,
        data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, path: 'conversation.list' },
      },
    });
  });
});
