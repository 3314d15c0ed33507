/**
 * `pnpm bench --postgres` measures Parley on a copy of the SQLite seed in PostgreSQL: the copy must
 * be what Parley would have written itself, or the figures are of something else. Parley, started
 * on the copy, serves the benchmarked user's conversations (and only theirs) with the times the
 * seed stored, and renames one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgresServer, type PostgresServer } from '@parley/db/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedPostgres } from '../src/postgres.ts';
import { REPO_ROOT, startTarget, type Target } from '../src/process.ts';
import { seedDataDir, type SeededDatabase } from '../src/seed.ts';

let dir: string;
let server: PostgresServer | undefined;
let parley: Target | undefined;
let seeded: SeededDatabase;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-pg-'));
  server = await startPostgresServer();
  seeded = await seedDataDir(path.join(dir, 'seed'), { conversations: 30, own: 12, otherUsers: 3 });
  const { url: databaseUrl } = await seedPostgres(server.url, 'bench_copy', seeded);
  parley = await startTarget({
    name: 'parley',
    entry: path.join(REPO_ROOT, 'apps/server/src/main.ts'),
    cwd: path.join(REPO_ROOT, 'apps/server'),
    env: { LOG_LEVEL: 'silent', PARLEY_DATA_DIR: dir, DATABASE_URL: databaseUrl },
  });
});

afterAll(async () => {
  await parley?.stop();
  await server?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function trpc(procedure: string, input: unknown, method: 'GET' | 'POST' = 'GET') {
  const encoded = encodeURIComponent(JSON.stringify(input));
  const response = await fetch(
    `${parley!.url}/trpc/${procedure}${method === 'GET' ? `?input=${encoded}` : ''}`,
    {
      method,
      headers: { authorization: `Bearer ${seeded.key}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify(input) } : {}),
    },
  );
  return { status: response.status, body: (await response.json()) as any };
}

it('Parley on the PostgreSQL copy serves the seeded conversations as stored, and renames one', async () => {
  const { status, body } = await trpc('conversation.list', { limit: 100 });
  expect(status).toBe(200);
  const items = body.result.data.items as { id: string; updatedAt: string; title: string }[];
  expect(items.map((c) => c.id).sort()).toEqual([...seeded.ownIds].sort());

  const sqlite = new Database(seeded.file, { readonly: true });
  const stored = new Map(
    (
      sqlite.prepare('SELECT id, updatedAt FROM Conversation').all() as {
        id: string;
        updatedAt: string;
      }[]
    ).map((r) => [r.id, Date.parse(r.updatedAt)]),
  );
  sqlite.close();
  for (const c of items) expect(Date.parse(c.updatedAt)).toBe(stored.get(c.id));

  const renamed = await trpc(
    'conversation.rename',
    { id: seeded.ownIds[0], title: 'Renamed on PostgreSQL' },
    'POST',
  );
  expect(renamed.status).toBe(200);
  expect(renamed.body.result.data).toMatchObject({ title: 'Renamed on PostgreSQL', version: 2 });
});
