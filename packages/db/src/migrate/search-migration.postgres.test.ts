// PostgreSQL's `search` migration: pg_trgm (which the test PostgreSQL's binaries ship) and GIN
// trigram indexes over titles and messages, built for the rows already there.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { testPostgresUrl } from '../../testing/database.ts';
import { POSTGRES_MIGRATIONS_DIR, migrateDeploy } from './index.ts';
import { migrationNames, readMigrations } from './migrations.ts';
import { createScratchDatabase, databaseUrl, dropDatabase } from './postgres.ts';

const server = testPostgresUrl();
const SEARCH = migrationNames(await readMigrations(POSTGRES_MIGRATIONS_DIR)).find((name) =>
  name.endsWith('_search'),
);
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.splice(0)) await step();
});

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('the search migration on PostgreSQL', () => {
  it('creates pg_trgm and trigram indexes that serve the rows that existed before it', async () => {
    expect(SEARCH).toBeDefined();
    const name = await createScratchDatabase(server, 'search');
    cleanup.push(() => dropDatabase(server, name));
    const url = databaseUrl(server, name);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-search-migration-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const migrationsDir = path.join(dir, 'migrations');
    await cp(POSTGRES_MIGRATIONS_DIR, migrationsDir, { recursive: true });
    await rm(path.join(migrationsDir, SEARCH!), { recursive: true });
    await migrateDeploy({ url, migrationsDir });

    await withClient(url, (client) =>
      client.query(
        `INSERT INTO "Organization" ("id", "slug") VALUES ('o1', 'acme');
         INSERT INTO "User" ("id", "orgId", "name") VALUES ('u1', 'o1', 'alice');
         INSERT INTO "Conversation" ("id", "orgId", "userId", "title", "model", "createdById",
           "updatedById") VALUES ('c1', 'o1', 'u1', 'Quokka photos', 'm', 'u1', 'u1');
         INSERT INTO "Message" ("id", "conversationId", "role", "content")
           VALUES ('m1', 'c1', 'user', 'Where do quokkas live?');`,
      ),
    );
    await cp(path.join(POSTGRES_MIGRATIONS_DIR, SEARCH!), path.join(migrationsDir, SEARCH!), {
      recursive: true,
    });
    await expect(migrateDeploy({ url, migrationsDir })).resolves.toEqual([SEARCH]);

    await withClient(url, async (client) => {
      // With sequential scans ruled out, the plan shows the index and the index finds the row.
      await client.query('SET enable_seqscan = off');
      const sql = `SELECT "id" FROM "Message" WHERE "content" ILIKE '%QUOKKA%'`;
      const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`);
      expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(
        'Message_content_trgm_idx',
      );
      expect((await client.query(sql)).rows).toEqual([{ id: 'm1' }]);
      const titles = `SELECT "id" FROM "Conversation" WHERE "title" ILIKE '%quokka%'`;
      const titlePlan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${titles}`);
      expect(titlePlan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(
        'Conversation_title_trgm_idx',
      );
      expect((await client.query(titles)).rows).toEqual([{ id: 'c1' }]);
    });
  });
});
