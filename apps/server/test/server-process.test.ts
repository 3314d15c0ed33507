/**
 * The operator's path end to end: start the production server (the bundle `pnpm start` runs) on a
 * fresh data directory, mint a key with the CLI while it runs, create and rename over /trpc,
 * restart, and find the rename kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  runCliAsync,
  startServerProcess,
  trpc,
  type ServerProcess,
} from '../testing/server-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-server-'));
const env = { PARLEY_DATA_DIR: dataDir };
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('server process', () => {
  let key = '';
  let id = '';

  it('starts, creates the data directory and answers /healthz', async () => {
    server = await startServerProcess(env);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // In production the server also serves the web app (a placeholder page until it is built).
    const page = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<title>Parley</title>');
    // What the bundle carries beyond the API: the OpenAPI document and its reference page.
    const openapi = await fetch(`${server.url}/openapi.json`);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\.1/);
    const docs = await fetch(`${server.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/<html/i);
  });

  it('mints an API key with the CLI while the server runs; the key is the last line', async () => {
    const result = await runCliAsync(['keys', 'create', '--org', 'acme', '--user', 'alice'], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    key = lines.at(-1)!;
    expect(key).toMatch(/^pk_[\w-]{43}$/);
  });

  it('creates and renames through /trpc with that key', async () => {
    const created = await trpc(
      server!.url,
      'mutation',
      'conversation.create',
      { title: 'First' },
      key,
    );
    expect(created.status).toBe(200);
    id = created.body.result.data.id;
    expect(id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    const renamed = await trpc(
      server!.url,
      'mutation',
      'conversation.rename',
      { id, title: 'Second', expectedVersion: 1 },
      key,
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body.result.data).toMatchObject({ id, title: 'Second', version: 2 });
    const got = await trpc(server!.url, 'query', 'conversation.get', { id }, key);
    expect(got.body.result.data).toMatchObject({ title: 'Second', version: 2 });
  });

  it('answers 401 without a key and never logs the key', async () => {
    const anonymous = await trpc(server!.url, 'query', 'conversation.get', { id });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.data.code).toBe('UNAUTHORIZED');
    expect(JSON.stringify(server!.logs)).not.toContain(key);
  });

  it('drains and exits 0 on SIGTERM, and the rename survives a restart', async () => {
    // An open live-update stream never finishes by itself; shutdown must end it, not wait it out.
    const stream = await fetch(`${server!.url}/trpc/conversation.changes`, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(30_000),
    });
    const drained = stream.text().catch(() => '');
    const started = Date.now();
    expect(await server!.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000); // PARLEY_SHUTDOWN_TIMEOUT_MS is 10 s
    expect(await drained).toContain('event: connected');
    server = await startServerProcess(env);
    const got = await trpc(server.url, 'query', 'conversation.get', { id }, key);
    expect(got.status).toBe(200);
    expect(got.body.result.data).toMatchObject({ id, title: 'Second', version: 2 });
    // Start-up applied nothing the second time: migrations are idempotent.
    const ready = server.logs.find((entry) => entry.msg === 'database ready');
    expect(ready?.applied).toEqual([]);
  });
});
