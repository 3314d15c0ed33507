/** Abuse limits and browser-facing safety: rate limits, security headers, CORS, slow clients. */
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../testing/in-process-app.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';

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
    const resets: number[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await call(t.url, 'POST', '/api/florent/conversations', { key, body: {} });
      expect(created.status).toBe(201);
      expect(created.headers.get('ratelimit-policy')).toBe('4;w=60');
      const header = created.headers.get('ratelimit') ?? '';
      expect(header).toMatch(new RegExp(`^limit=4, remaining=${3 - i}, reset=\\d+$`));
      resets.push(Number(/reset=(\d+)/.exec(header)?.[1]));
    }
    // Seconds until the one 60 s window ends: within it, and never moving later.
    for (const reset of resets) expect(reset).toBeGreaterThanOrEqual(1);
    for (const reset of resets) expect(reset).toBeLessThanOrEqual(60);
    expect([...resets].sort((a, b) => b - a)).toEqual(resets);
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
    // With no per-address limit, a request without a credential is not counted at all: more of
    // them than the limit are each refused only for the missing credential, with no RateLimit.
    for (let i = 0; i <= 4; i++) {
      const anonymous = await call(t.url, 'GET', '/v2/conversations');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('ratelimit')).toBeNull();
    }
    // Another credential has a counter of its own, untouched by all of the above, and nothing
    // was stored by the refused requests.
    const other = await t.key('acme', 'bob');
    const first = await call(t.url, 'GET', '/v2/conversations', { key: other });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit')).toMatch(/^limit=4, remaining=3, /);
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

  it('counts IPv6 clients per /56: two addresses in one /56 share a counter, another /56 has its own', async () => {
    // Behind a trusted proxy the client address is X-Forwarded-For's (tests listen on 127.0.0.1
    // only); the limiter keys on req.ip exactly as it would for a direct IPv6 client.
    const t = await start({ rateLimits: { perCredential: 0, perIp: 2 }, trustProxy: 'loopback' });
    const from = (address: string) =>
      call(t.url, 'GET', '/v2/conversations', { headers: { 'x-forwarded-for': address } });
    // 2001:db8:0:100::/56 runs from 2001:db8:0:100:: to 2001:db8:0:1ff:ffff:ffff:ffff:ffff.
    const first = await from('2001:db8:0:100::1');
    expect(first.status).toBe(401);
    expect(first.headers.get('ratelimit')).toMatch(/^limit=2, remaining=1, /);
    const neighbour = await from('2001:db8:0:1ff:ffff::2');
    expect(neighbour.status).toBe(401);
    expect(neighbour.headers.get('ratelimit')).toMatch(/^limit=2, remaining=0, /);
    expect((await from('2001:db8:0:1ab::3')).status).toBe(429);
    const elsewhere = await from('2001:db8:0:200::1');
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get('ratelimit')).toMatch(/^limit=2, remaining=1, /);
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
  // The smallest timeouts the configuration allows (a headers timeout may not exceed the
  // request's); Node checks them once a second.
  let server: ServerProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'parley-slow-'));
    server = await startServerProcess({
      PARLEY_DATA_DIR: dataDir,
      PARLEY_HEADERS_TIMEOUT_MS: '1000',
      PARLEY_REQUEST_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    await server.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Opens a raw connection, lets `talk` write to it, and resolves with everything the server sent
   * once it closes the connection. The bound only stops a hung test: then the reply is empty.
   */
  function exchange(talk: (socket: net.Socket) => void): Promise<string> {
    const { hostname, port } = new URL(server.url);
    const socket = net.connect(Number(port), hostname);
    talk(socket);
    return new Promise((resolve) => {
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('error', () => {});
      socket.on('close', () => resolve(data));
      setTimeout(() => socket.destroy(), 45_000).unref();
    });
  }

  it('answers 408 and closes a connection whose headers never finish, and logs it', async () => {
    const partial = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ';
    let port = 0;
    const reply = await exchange((socket) => {
      socket.on('connect', () => (port = socket.localPort ?? 0));
      socket.write(partial);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(reply).toContain('{"error":"request_timeout"}');
    // Logged for this connection, with how much of its request had arrived.
    const logged = await server.waitForLog(
      (e) => e.msg === 'request timed out before it arrived' && e.remotePort === port,
    );
    expect(logged).toMatchObject({
      level: 40,
      code: 'ERR_HTTP_REQUEST_TIMEOUT',
      bytesRead: partial.length,
    });
  });

  it('answers 408 to a request whose body keeps arriving too slowly, however active it is', async () => {
    // Complete headers, then a byte of body every 50 ms: the connection is never idle, so only
    // the limit on the whole request can end it.
    const length = 100_000;
    let dribble: NodeJS.Timeout | undefined;
    const reply = await exchange((socket) => {
      socket.write(
        'POST /auth/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${length}\r\n\r\n{"apiKey":"`,
      );
      dribble = setInterval(() => {
        if (socket.writable) socket.write('k');
      }, 50);
      socket.on('close', () => clearInterval(dribble));
    });
    clearInterval(dribble);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(reply).toContain('{"error":"request_timeout"}');
  });
});
