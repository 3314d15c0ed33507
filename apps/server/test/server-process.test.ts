/**
 * The operator's path end to end: start the production server (the bundle `pnpm start` runs) on a
 * fresh data directory, mint a key with the CLI while it runs, create and rename over /trpc,
 * restart, and find the rename kept.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  runCliAsync,
  startServerProcess,
  trpc,
  type ServerProcess,
} from '../testing/server-process.ts';

const parentDir = mkdtempSync(path.join(tmpdir(), 'parley-server-'));
/** Does not exist yet: the server creates it. */
const dataDir = path.join(parentDir, 'data');
const env = { PARLEY_DATA_DIR: dataDir };
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(parentDir, { recursive: true, force: true });
});

describe('server process', () => {
  let key = '';
  let id = '';

  it('starts, creates the data directory and answers /healthz', async () => {
    expect(existsSync(dataDir)).toBe(false);
    server = await startServerProcess(env);
    expect(existsSync(path.join(dataDir, 'parley.db'))).toBe(true);
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
    const anonymous = await fetch(
      `${server!.url}/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ id }))}`,
      { headers: { 'x-request-id': 'anonymous-get' } },
    );
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.data.code).toBe('UNAUTHORIZED');
    // The log arrives over a pipe: absence means something only once the line of this request,
    // written after every request made with the key, has been read.
    const line = await server!.waitForLog((entry: any) => entry.req?.id === 'anonymous-get');
    expect(line).toMatchObject({ msg: 'request completed', res: { statusCode: 401 } });
    const withKey = server!.logs.filter((entry: any) => entry.req?.url?.startsWith('/trpc/'));
    expect(withKey.length).toBeGreaterThanOrEqual(4); // create, rename, get, and the 401
    expect(JSON.stringify(server!.logs)).not.toContain(key);
  });

  it('revokes a key with the CLI; the running server refuses it once its credential cache lets go', async () => {
    const created = await runCliAsync(['keys', 'create', '--org', 'acme', '--user', 'alice'], env);
    expect(created.code).toBe(0);
    const keyId = /^Created API key (\S+) /.exec(created.stdout)?.[1];
    const doomed = created.stdout.trim().split('\n').at(-1)!;
    expect(keyId).toBeDefined();
    // Used once, so the server holds it in its cache of verified credentials.
    const list = () => trpc(server!.url, 'query', 'conversation.list', {}, doomed);
    expect((await list()).status).toBe(200);

    const revoked = await runCliAsync(['keys', 'revoke', keyId!], env);
    expect(revoked).toMatchObject({ code: 0, stdout: `Revoked ${keyId}.\n` });
    // The README promises refusal within 10 s (the cache's lifetime); poll until it comes, with a
    // bound far above that which only stops a hung test, and report how long it took.
    const revokedAt = Date.now();
    let status = 200;
    while (status !== 401 && Date.now() - revokedAt < 60_000) {
      status = (await list()).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(401);
    console.info(`revoked key refused after ${Date.now() - revokedAt} ms`);
    // The other key of the same user is not affected; revoking twice says there is nothing to do.
    expect((await trpc(server!.url, 'query', 'conversation.list', {}, key)).status).toBe(200);
    const again = await runCliAsync(['keys', 'revoke', keyId!], env);
    expect(again).toMatchObject({ code: 1, stdout: `No active key ${keyId}.\n` });

    // `keys list` names every key of the user (so one can be revoked without the line printed
    // at creation), with its state, and never a secret.
    const listed = await runCliAsync(['keys', 'list', '--org', 'acme', '--user', 'alice'], env);
    expect(listed.code).toBe(0);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    expect(header!.split(/\s+/)).toEqual(['ID', 'PREFIX', 'ORG', 'USER', 'CREATED', 'REVOKED']);
    const columns = rows.map((row) => row.split(/\s+/));
    expect(columns.length).toBeGreaterThanOrEqual(2);
    for (const c of columns) {
      expect(c).toHaveLength(6);
      expect(c.slice(2, 4)).toEqual(['acme', 'alice']);
      expect(new Date(c[4]!).toISOString()).toBe(c[4]);
    }
    const revokedRow = columns.find((c) => c[0] === keyId);
    expect(revokedRow?.[1]).toBe(`${doomed.slice(0, 9)}…`);
    expect(new Date(revokedRow![5]!).getTime()).toBeGreaterThanOrEqual(revokedAt - 60_000);
    expect(columns.filter((c) => c[5] === '-').length).toBeGreaterThanOrEqual(1); // `key`, active
    expect(listed.stdout).not.toContain(doomed);
    expect(listed.stdout).not.toContain(key);
    const nobody = await runCliAsync(['keys', 'list', '--org', 'nobody'], env);
    expect(nobody).toMatchObject({ code: 0, stdout: 'No API keys.\n' });
  }, 120_000);

  it('drains and exits 0 on SIGTERM, and the rename survives a restart', async () => {
    // An open live-update stream never finishes by itself; shutdown must end it, not wait it out.
    const stream = await fetch(`${server!.url}/trpc/conversation.changes`, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(30_000),
    });
    expect(stream.status).toBe(200);
    // Ended by the server, the stream's body completes; cut at the shutdown deadline
    // (PARLEY_SHUTDOWN_TIMEOUT_MS) by closing every connection, reading it fails instead.
    const drained = stream.text().catch((error: Error) => `failed: ${error.message}`);
    expect(await server!.stop('SIGTERM')).toBe(0);
    const text = await drained;
    expect(text).toContain('event: connected');
    expect(text).not.toMatch(/^failed/);
    server = await startServerProcess(env);
    const got = await trpc(server.url, 'query', 'conversation.get', { id }, key);
    expect(got.status).toBe(200);
    expect(got.body.result.data).toMatchObject({ id, title: 'Second', version: 2 });
    // Start-up applied nothing the second time: migrations are idempotent.
    const ready = server.logs.find((entry) => entry.msg === 'database ready');
    expect(ready?.applied).toEqual([]);
  });
});
