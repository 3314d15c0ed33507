/** The web app's sign-in endpoints and the session cookie, in-process against a real database. */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http, { type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiDeps, createApiKey, createSessionTokens, revokeApiKey } from '@parley/api';
import { createTestDatabase, type TestDatabase } from '@parley/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';
import { loadSessionSecret } from '../src/session-secret.ts';
import { trpc } from '../testing/server-process.ts';
import { selfSignedCertificate } from '../testing/tls-certificate.ts';

let database: TestDatabase;
const servers: Server[] = [];
let key: string;

async function listen(options: { demo: boolean; trustProxy?: boolean; tls?: boolean }) {
  const tokens = createSessionTokens('a-session-secret-for-the-tests-0123456789');
  const deps = createApiDeps({ db: database.db, auth: { sessions: tokens } });
  const app = createApp({
    deps,
    logger: createLogger('silent'),
    session: { tokens, demo: options.demo, demoTtlMs: 36 * 3_600_000 },
    trustProxy: options.trustProxy,
  });
  // Over TLS as a server terminating it itself would be: the socket is encrypted (req.secure).
  const server = options.tls
    ? https.createServer(selfSignedCertificate(), app)
    : http.createServer(app);
  server.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  const scheme = options.tls ? 'https' : 'http';
  return { url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, deps };
}

let url: string;
let demoUrl: string;
let proxiedUrl: string;

beforeAll(async () => {
  database = await createTestDatabase();
  key = (await createApiKey(database.db, 'acme', 'alice')).key;
  url = (await listen({ demo: false })).url;
  demoUrl = (await listen({ demo: true })).url;
  proxiedUrl = (await listen({ demo: false, trustProxy: true })).url;
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await database.close();
});

const signIn = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** The cookie pair ("parley_session=…") from a Set-Cookie header. */
const cookieOf = (response: Response) => response.headers.get('set-cookie')?.split(';')[0] ?? '';

const listWithCookie = (base: string, cookie: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/trpc/conversation.list`, { headers: { cookie, ...headers } });

describe('POST /auth/session', () => {
  it('turns an API key into an httpOnly, SameSite=Lax session cookie that tRPC accepts', async () => {
    const response = await signIn(url, { apiKey: key });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      user: { org: 'acme', name: 'alice', demo: false },
      demo: false,
    });
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^parley_session=[\w.-]+;/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Expires=/i);
    expect(setCookie).not.toMatch(/Secure/i); // plain HTTP, no trusted proxy
    expect(setCookie).not.toContain(key);

    const list = await listWithCookie(url, cookieOf(response));
    expect(list.status).toBe(200);
    const me = await fetch(`${url}/auth/session`, { headers: { cookie: cookieOf(response) } });
    expect(await me.json()).toEqual({
      user: { org: 'acme', name: 'alice', demo: false },
      demo: false,
    });
  });

  it('refuses an unknown key with 401 and sets no cookie', async () => {
    const response = await signIn(url, { apiKey: 'pk_nope' });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.json()).toMatchObject({ error: 'unauthorized' });
  });

  it.each([
    ['no body', undefined],
    ['an empty object', {}],
    ['an extra field', { apiKey: 'pk_x', admin: true }],
    ['demo: false', { demo: false }],
  ])('answers 400 to %s', async (_name, body) => {
    const response = await signIn(url, body);
    expect(response.status).toBe(400);
  });

  it('is refused from another site, and the cookie does not authenticate cross-site calls', async () => {
    const response = await signIn(url, { apiKey: key }, { 'sec-fetch-site': 'cross-site' });
    expect(response.status).toBe(403);
    const cookie = cookieOf(await signIn(url, { apiKey: key }));
    for (const site of ['cross-site', 'same-site']) {
      const list = await listWithCookie(url, cookie, { 'sec-fetch-site': site });
      expect(list.status, site).toBe(401);
    }
    const sameOrigin = await listWithCookie(url, cookie, { 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(200);
  });

  it('marks the cookie Secure behind a trusted TLS proxy only', async () => {
    const proxied = await signIn(proxiedUrl, { apiKey: key }, { 'x-forwarded-proto': 'https' });
    expect(proxied.headers.get('set-cookie')).toMatch(/Secure/i);
    const untrusted = await signIn(url, { apiKey: key }, { 'x-forwarded-proto': 'https' });
    expect(untrusted.headers.get('set-cookie')).not.toMatch(/Secure/i);
  });

  it('marks the cookie Secure over direct TLS', async () => {
    const secured = await listen({ demo: false, tls: true });
    const body = JSON.stringify({ apiKey: key });
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = https.request(`${secured.url}/auth/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        rejectUnauthorized: false, // self-signed: what matters here is that the socket is TLS
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(response.statusCode).toBe(200);
    const setCookie = response.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/^parley_session=[\w.-]+;/);
    expect(setCookie).toMatch(/; Secure/i);
    expect(setCookie).toMatch(/HttpOnly/i);
  });

  it('a Bearer header wins over the cookie', async () => {
    const cookie = cookieOf(await signIn(url, { apiKey: key }));
    const response = await fetch(`${url}/trpc/conversation.list`, {
      headers: { cookie, authorization: 'Bearer pk_wrong' },
    });
    expect(response.status).toBe(401);
  });
});

describe('demo mode', () => {
  it('is refused when off', async () => {
    const response = await signIn(url, { demo: true });
    expect(response.status).toBe(403);
    expect(await (await fetch(`${url}/auth/session`)).json()).toEqual({ user: null, demo: false });
  });

  it('gives every visitor an own demo user with sample conversations', async () => {
    // The page is told how long demo conversations are kept (PARLEY_DEMO_TTL_HOURS).
    expect(await (await fetch(`${demoUrl}/auth/session`)).json()).toEqual({
      user: null,
      demo: true,
      demoTtlHours: 36,
    });
    const first = await signIn(demoUrl, { demo: true });
    const second = await signIn(demoUrl, { demo: true });
    expect(first.status).toBe(200);
    const a = (await first.json()) as { user: { org: string; name: string; demo: boolean } };
    const b = (await second.json()) as { user: { name: string } };
    expect(a.user).toMatchObject({ org: 'demo', demo: true });
    expect(a.user.name).not.toBe(b.user.name);
    const list: any = await (await listWithCookie(demoUrl, cookieOf(first))).json();
    expect(list.result.data.items.length).toBeGreaterThanOrEqual(2);
  });
});

describe('DELETE /auth/session', () => {
  it('clears the cookie', async () => {
    const response = await fetch(`${url}/auth/session`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(
      /^parley_session=;.*Expires=Thu, 01 Jan 1970/,
    );
  });

  it('a garbage cookie reads as signed out and is cleared', async () => {
    const response = await fetch(`${url}/auth/session`, {
      headers: { cookie: 'parley_session=not.a.token' },
    });
    expect(await response.json()).toEqual({ user: null, demo: false });
    expect(response.headers.get('set-cookie')).toMatch(/^parley_session=;/);
  });
});

/** A cookie-authenticated `conversation.changes` stream, read as text. */
async function openChanges(cookie: string) {
  // The bound only stops a hung test; reading then fails.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 45_000);
  const response = await fetch(`${url}/trpc/conversation.changes`, {
    headers: { cookie, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  return {
    text: () => text,
    /** Reads until the stream holds `wanted`; fails if the stream ends first. */
    async readUntil(wanted: string) {
      while (!text.includes(wanted)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${wanted}: ${text}`);
        text += value;
      }
    },
    /** Reads until the server ends the stream. */
    async readToEnd() {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += value;
      }
    },
    close() {
      clearTimeout(timer);
      controller.abort();
    },
  };
}

describe('live updates over HTTP', () => {
  it('streams a rename made with the API key to a cookie-authenticated SSE subscription', async () => {
    const cookie = cookieOf(await signIn(url, { apiKey: key }));
    const created = await trpc(url, 'mutation', 'conversation.create', { title: 'Before' }, key);
    const id = created.body.result.data.id as string;

    const stream = await openChanges(cookie);
    // The stream opens with a "connected" event once the subscription is registered.
    await stream.readUntil('event: connected');
    await trpc(url, 'mutation', 'conversation.rename', { id, title: 'After' }, key);
    await stream.readUntil('"After"');
    stream.close();
    expect(stream.text()).toContain('"type":"renamed"');
    expect(stream.text()).toContain(`"id":"${id}"`);
  });

  it('ends a stream with UNAUTHORIZED within seconds of its key being revoked', async () => {
    const dora = await createApiKey(database.db, 'acme', 'dora');
    const cookie = cookieOf(await signIn(url, { apiKey: dora.key }));
    const stream = await openChanges(cookie);
    await stream.readUntil('event: connected');
    const revoked = performance.now();
    expect(await revokeApiKey(database.db, dora.id)).toBe(true);
    // The server's own re-check (every 5 s, past the 10 s credential cache) ends it.
    await stream.readUntil('event: serialized-error');
    console.info(`stream ended ${Math.round(performance.now() - revoked)} ms after the revocation`);
    expect(stream.text()).toContain('"code":"UNAUTHORIZED"');
    await stream.readToEnd();
    stream.close();
  });

  it('refuses a subscription without credentials: an UNAUTHORIZED error event, then the end', async () => {
    // tRPC answers subscriptions as event streams, errors included; the client does not retry
    // UNAUTHORIZED, so a signed-out page does not hammer the server.
    const response = await fetch(`${url}/trpc/conversation.changes`, {
      headers: { accept: 'text/event-stream' },
      signal: AbortSignal.timeout(30_000), // only stops a hung test
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    for (let i = 0; i < 20; i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    expect(text).toContain('event: serialized-error');
    expect(text).toContain('"code":"UNAUTHORIZED"');
    expect(text).not.toContain('"type":');
  });
});

describe('session secret', () => {
  it('is generated once into the data directory, owner-only, and reused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-secret-'));
    try {
      const logger = createLogger('silent');
      const first = loadSessionSecret(undefined, dir, logger);
      const file = path.join(dir, 'session-secret');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(loadSessionSecret(undefined, dir, logger)).toBe(first);
      expect(readFileSync(file, 'utf8').trim()).toBe(first);
      expect(loadSessionSecret('x'.repeat(40), dir, logger)).toBe('x'.repeat(40));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
