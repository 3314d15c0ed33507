/**
 * The production server on PostgreSQL, and what it does when PostgreSQL is not there: a URL it
 * cannot reach or does not understand stops it at start (naming DATABASE_URL, never the
 * password); losing PostgreSQL while serving answers 503 in each API's shape, /healthz says the
 * database is down, and service comes back by itself once PostgreSQL does. The test runs its own
 * PostgreSQL (stopping the run's shared one would fail other test files).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderId } from '@parley/api';
import { startPostgresServer, type PostgresServer } from '@parley/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS, serverBuild } from '../src/production.ts';
import {
  runCliAsync,
  startServerProcess,
  trpc,
  type ServerProcess,
} from '../testing/server-process.ts';

/** The PostgreSQL migrations the server applies to a new database. */
const POSTGRES_MIGRATIONS = path.resolve(
  import.meta.dirname,
  '../../../packages/db/prisma/postgresql/migrations',
);

// Server and CLI processes on a busy two-core machine: bounds that only stop a hung test.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-pg-faults-'));
let postgres: PostgresServer;
let server: ServerProcess | undefined;

beforeAll(async () => {
  postgres = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await postgres?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the production server until it exits by itself; its output and exit code. */
function runUntilExit(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, serverBuild()], {
    env: { ...process.env, ...PRODUCTION_ENV, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

/** Polls until `check` passes, within a bound that only stops a hung test. */
async function eventually(check: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe('start-up refusals', () => {
  it('exits non-zero when PostgreSQL is unreachable, naming DATABASE_URL without its password', async () => {
    // A port nothing listens on any more.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const { code, out } = await runUntilExit({
      DATABASE_URL: `postgresql://parley:hunter2secret@127.0.0.1:${port}/parley`,
      PARLEY_DATA_DIR: dataDir,
    });
    expect(code).not.toBe(0);
    expect(out).toContain('DATABASE_URL');
    expect(out).toContain(`postgresql://parley:***@127.0.0.1:${port}/parley`);
    expect(out).not.toContain('hunter2secret');
  });

  it('refuses a DATABASE_URL of an unknown scheme with a clear message', async () => {
    const { code, out } = await runUntilExit({
      DATABASE_URL: 'mysql://parley:hunter2secret@127.0.0.1/parley',
      PARLEY_DATA_DIR: dataDir,
    });
    expect(code).not.toBe(0);
    expect(out).toMatch(/DATABASE_URL: must be a file: URL .* or a postgresql:\/\//);
    expect(out).not.toContain('hunter2secret');
  });
});

describe('serving on PostgreSQL', () => {
  let env: Record<string, string>;
  let key = '';
  let id = '';

  it('migrates a new database at start, and the key CLI works on it', async () => {
    env = {
      DATABASE_URL: postgres.url,
      PARLEY_DATA_DIR: dataDir,
    };
    server = await startServerProcess(env, 120_000);
    const ready = await server.waitForLog((entry) => entry.msg === 'database ready');
    // Every PostgreSQL migration, oldest (the initial one) first.
    expect(ready).toMatchObject({ provider: 'postgresql' });
    const applied = ready.applied as string[];
    expect(applied[0]).toMatch(/_init$/);
    expect(applied).toEqual(
      readdirSync(POSTGRES_MIGRATIONS, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort(),
    );
    expect(JSON.stringify(server.logs)).not.toContain('parley:parley@');
    const created = await runCliAsync(['keys', 'create', '--org', 'acme', '--user', 'alice'], env);
    expect(created.code, created.stderr).toBe(0);
    key = created.stdout.trim().split('\n').at(-1) ?? '';
    const made = await trpc(server.url, 'mutation', 'conversation.create', { title: 'On PG' }, key);
    expect(made.status).toBe(200);
    id = made.body.result.data.id as string;
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers 503 in each API’s shape while PostgreSQL is down, and resumes when it is back', async () => {
    if (!server) throw new Error('the server did not start');
    const url = server.url;
    await postgres.stop();

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unavailable', database: 'down' });

    const renamed = await trpc(url, 'mutation', 'conversation.rename', { id, title: 'x' }, key);
    expect(renamed.status).toBe(503);
    expect(renamed.body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
    expect(JSON.stringify(renamed.body)).not.toMatch(/stack|ECONNREFUSED|at .*\.ts/);

    // Each REST face answers in its vendor's shape, with the vendor's words for a 503.
    const faces: [string, string, string, unknown, unknown][] = [
      [
        'florent',
        'PATCH',
        `/api/florent/conversations/${id}`,
        { title: 'x' },
        { error: 'unavailable' },
      ],
      [
        'orq',
        'GET',
        `/v2/conversations/${renderId(id, 'orq')}`,
        undefined,
        {
          message: 'Service unavailable: retry shortly.',
        },
      ],
      ['rag', 'GET', `/api/conversations/${id}`, undefined, { detail: 'Service Unavailable' }],
      [
        'dify',
        'GET',
        '/v1/conversations?user=alice',
        undefined,
        {
          code: 'service_unavailable',
          message: 'Service Unavailable.',
          status: 503,
        },
      ],
      [
        'openai',
        'GET',
        `/openai/v1/conversations/${renderId(id, 'orq')}`,
        undefined,
        {
          error: {
            message: 'The server is temporarily unavailable. Please retry your request shortly.',
            type: 'server_error',
            param: null,
            code: 'service_unavailable',
          },
        },
      ],
    ];
    for (const [name, method, route, body, shape] of faces) {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(response.status, name).toBe(503);
      expect(await response.json(), name).toEqual(shape);
      // The client is told only to retry; the log says why, under the request's id.
      const requestId = response.headers.get('x-request-id');
      const logged = await server.waitForLog(
        (entry) =>
          entry.msg === 'database unavailable' &&
          (entry.req as { id?: string } | undefined)?.id === requestId,
      );
      expect(logged.level, name).toBe(40);
      expect((logged.err as { message?: string } | undefined)?.message, name).toBeTruthy();
    }

    await postgres.start();
    await eventually(async () => {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    });
    const again = await trpc(url, 'mutation', 'conversation.rename', { id, title: 'Back' }, key);
    expect(again.status).toBe(200);
    expect(again.body.result.data).toMatchObject({ title: 'Back', version: 2 });
    // Nothing asked for while PostgreSQL was down was written.
    const list = await trpc(url, 'query', 'conversation.list', {}, key);
    expect(list.body.result.data.items.map((c: { title: string }) => c.title)).toEqual(['Back']);
  });
});
