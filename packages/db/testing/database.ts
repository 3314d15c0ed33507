/**
 * For tests of other packages: a real, migrated database of its own per test file. Which one
 * follows PARLEY_TEST_DB: `sqlite` (the default) a SQLite file in a fresh temp directory,
 * `postgres` a fresh database on the run's test PostgreSQL (globalSetup in postgres-setup.ts),
 * copied from a migrated template.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import {
  openDatabase,
  openSqlite,
  type DatabaseProvider,
  type PostgresHandle,
  type SqliteHandle,
} from '../src/client.ts';
import { migrateDeploy } from '../src/migrate/index.ts';
import {
  createScratchDatabase,
  databaseUrl,
  dropDatabase,
  quoteIdentifier,
  withServerConnection,
} from '../src/migrate/postgres.ts';

export type TestDatabase = SqliteHandle | PostgresHandle;

/** The database the tests of this run use: PARLEY_TEST_DB=sqlite|postgres. */
export function testDatabaseProvider(): DatabaseProvider {
  const wanted = process.env.PARLEY_TEST_DB ?? 'sqlite';
  if (wanted === 'sqlite') return 'sqlite';
  if (wanted === 'postgres' || wanted === 'postgresql') return 'postgresql';
  throw new Error(`PARLEY_TEST_DB must be sqlite or postgres, not "${wanted}"`);
}

export async function createTestDatabase(): Promise<TestDatabase> {
  return testDatabaseProvider() === 'postgresql'
    ? createPostgresTestDatabase()
    : createSqliteTestDatabase();
}

/** A SQLite test database whatever PARLEY_TEST_DB says, for tests of SQLite itself. */
export async function createSqliteTestDatabase(): Promise<SqliteHandle & { dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-test-'));
  const database = await openSqlite({ dataDir: dir });
  await migrateDeploy({ file: database.file });
  return {
    ...database,
    dir,
    async close() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The name of the migrated database the test databases are copied from. */
export const TEMPLATE_DATABASE = 'parley_template';

/** The test PostgreSQL's URL (its `postgres` database), provided by the global setup. */
export function testPostgresUrl(): string {
  const url = inject('parleyPostgresUrl');
  if (!url) {
    throw new Error(
      'PARLEY_TEST_DB=postgres needs the test PostgreSQL: run the tests through vitest with ' +
        "@parley/db/testing's postgres-setup.ts as globalSetup (the packages' vitest.config.ts)",
    );
  }
  return url;
}

/** A fresh database on the test PostgreSQL, migrated (a copy of the template); dropped on close. */
export async function createPostgresTestDatabase(): Promise<PostgresHandle> {
  const server = testPostgresUrl();
  const name = await createScratchDatabase(server, 'test', TEMPLATE_DATABASE);
  const database = (await openDatabase({ url: databaseUrl(server, name) })) as PostgresHandle;
  return {
    ...database,
    async close() {
      await database.close();
      await dropDatabase(server, name);
    },
  };
}

/** Creates and migrates the template database (global setup, once per run). */
export async function prepareTemplateDatabase(server: string): Promise<void> {
  await withServerConnection(server, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(TEMPLATE_DATABASE)}`);
    await client.query(`CREATE DATABASE ${quoteIdentifier(TEMPLATE_DATABASE)}`);
  });
  await migrateDeploy({ url: databaseUrl(server, TEMPLATE_DATABASE) });
}

declare module 'vitest' {
  export interface ProvidedContext {
    parleyPostgresUrl: string;
  }
}
