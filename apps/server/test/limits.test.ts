/** Abuse limits and browser-facing safety: rate limits, security headers, CORS, slow clients. */
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../testing/in-process-app.ts';
import { startServerProcess } from '../testing/server-process.ts';

const apps: TestApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));
const start = async (options: Parameters<typeof startTestApp>[0]) => {
  const app = await startTestApp(options);
  apps.push(app);
  return app;
};

describe('rate limits', () => {
  it('limits each credential, answering 429 with Retry-After in the shape of the API used', async () => {
    const t = await start({ rateLimits: { perCredential: 4, perIp: 0 } });
    const key = await t.key('acme', 'alice');
    for (let i = 0; i < 4; i++) {
      const created = await call(t.url, 'POST', '/api/florent/conversations', { key, body: {} });
      expect(created.status).toBe(201);
      expect(created.headers.get('ratelimit-policy')).toBe('4;w=60');
      expect(created.headers.get('ratelimit')).toMatch(
        new RegExp(`^limit=4, remaining=${3 - i}, reset=(60|59)$`),
      );
    }
    const florent = await call(t.url, 'POST', '/api/florent/conversations', { key, body: {} });
    expect(florent).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(Number(florent.headers.get('retry-after'))).toBeGreaterThan(0);
    const dify = await call(t.url, 'GET', '/v1/conversations?user=alice', { key });
    expect(dify).toMatchObject({ status: 429, body: { code: 'too_many_requests', status: 429 } });
    const rag = await call(t.url, 'GET', '/api/conversations/x', { key });
    expect(rag).toMatchObject({ status: 429, body: { detail: 'Too Many Requests' } });
    const orq = await call(t.url, 'GET', '/v2/conversations', { key });
    expect(orq).toMatchObject({ status: 429, body: { message: expect.any(String) } });
    const trpc = await call(t.url, 'GET', '/trpc/conversation.list', { key });
    expect(trpc).toMatchObject({
      status: 429,
      body: { error: { data: { code: 'TOO_MANY_REQUESTS' } } },
    });
    // With no per-address limit, a request without a credential is not counted at all.
    expect((await call(t.url, 'GET', '/v2/conversations')).status).toBe(401);
    // Another credential is not affected, and nothing was stored by the refused requests.
    const other = await t.key('acme', 'bob');
    expect((await call(t.url, 'GET', '/v2/conversations', { key: other })).status).toBe(200);
    expect(await t.database.db.conversation.count()).toBe(4);
  });

  it('limits each client address, credentials or not', async () => {
    const t = await start({ rateLimits: { perCredential: 0, perIp: 3 } });
    for (let i = 0; i < 3; i++)
      expect((await call(t.url, 'GET', '/v2/conversations')).status).toBe(401);
    const limited = await call(t.url, 'GET', '/v2/conversations');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('ratelimit')).toMatch(/^limit=3, remaining=0, reset=\d+$/);
    // Health probes are never limited.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('counts a request against both limits and reports the one closer to running out', async () => {
    const t = await start({ rateLimits: { perCredential: 2, perIp: 5 } });
    const key = await t.key('acme', 'alice');
    const anonymous = await call(t.url, 'GET', '/v2/conversations');
    expect(anonymous.headers.get('ratelimit')).toMatch(/^limit=5, remaining=4, /);
    const first = await call(t.url, 'GET', '/v2/conversations', { key });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit')).toMatch(/^limit=2, remaining=1, /);
    expect((await call(t.url, 'GET', '/v2/conversations', { key })).status).toBe(200);
    // The key is spent; the address still has one request left, which a refusal also counts.
    expect((await call(t.url, 'GET', '/v2/conversations', { key })).status).toBe(429);
    const last = await call(t.url, 'GET', '/v2/conversations');
    expect(last.status).toBe(401);
    expect(last.headers.get('ratelimit')).toMatch(/^limit=5, remaining=0, /);
    expect((await call(t.url, 'GET', '/v2/conversations')).status).toBe(429);
  });
});

/** Headers of any Express JSON response, not security headers. */
const GENERAL_HEADERS = new Set([
  'connection',
  'content-length',
  'content-type',
  'date',
  'etag',
  'keep-alive',
  'x-powered-by',
]);

describe('headers', () => {
  it('sends security headers on JSON and HTML', async () => {
    const t = await start({});
    for (const path of ['/healthz', '/openapi.json', '/docs', '/nope']) {
      const response = await fetch(`${t.url}${path}`);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('content-security-policy'), path).toContain("default-src 'self'");
      expect(response.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(response.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it("sends helmet's own headers, computed once at start-up", async () => {
    // The reference: helmet itself, per request, on a bare Express app; these requests come over
    // plain HTTP, where the policy leaves out upgrade-insecure-requests (security.ts).
    const reference = express().use(
      helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }),
    );
    reference.get('/', (_req, res) => res.json({}));
    const server = reference.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const expected = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const names = [...expected.headers.keys()].filter((name) => !GENERAL_HEADERS.has(name));
      expect(names.length).toBeGreaterThan(10);
      const t = await start({});
      for (const path of ['/healthz', '/api/florent/conversations/x']) {
        const actual = await fetch(`${t.url}${path}`);
        for (const name of names) {
          expect(actual.headers.get(name), `${path} ${name}`).toBe(expected.headers.get(name));
        }
      }
    } finally {
      server.close();
    }
  });

  it('keeps CORS closed unless origins are configured, then allows only those', async () => {
    const closed = await start({});
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/api/florent/conversations`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    expect(
      (await preflight(closed.url, 'https://chat.example')).headers.get(
        'access-control-allow-origin',
      ),
    ).toBeNull();
    const open = await start({ corsOrigins: ['https://chat.example'] });
    const allowed = await preflight(open.url, 'https://chat.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://chat.example');
    expect(
      (await preflight(open.url, 'https://evil.example')).headers.get(
        'access-control-allow-origin',
      ),
    ).toBeNull();
  });
});

describe('slow clients', () => {
  it('closes a connection whose headers never finish', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-slow-'));
    const server = await startServerProcess({
      PARLEY_DATA_DIR: dataDir,
      PARLEY_HEADERS_TIMEOUT_MS: '1000',
      PARLEY_REQUEST_TIMEOUT_MS: '1500',
    });
    try {
      const { hostname, port } = new URL(server.url);
      const socket = net.connect(Number(port), hostname);
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      const started = Date.now();
      const reply = await new Promise<string>((resolve) => {
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        setTimeout(() => socket.destroy(), 10_000).unref();
      });
      expect(reply).toMatch(/^HTTP\/1\.1 408/);
      expect(reply).toContain('{"error":"request_timeout"}');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
