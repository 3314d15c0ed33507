// The migration commands on PostgreSQL, against the run's test PostgreSQL: a fresh database per
// test, PostgreSQL's own migration history (prisma/postgresql/migrations).
import { createHash } from 'node:crypto';
import { copyFile, cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, testPostgresUrl } from '../../testing/database.ts';
import { edit, runCli, tempDir } from '../../testing/migrations.ts';
import {
  POSTGRES_MIGRATIONS_DIR,
  POSTGRES_SCHEMA_PATH,
  checkDrift,
  migrateCreate,
  migrateDeploy,
  migrateStatus,
} from './index.ts';
import { lockfileContent, migrationNames, readMigrations } from './migrations.ts';
import { createScratchDatabase, databaseUrl, dropDatabase } from './postgres.ts';

const server = testPostgresUrl();
const local = migrationNames(await readMigrations(POSTGRES_MIGRATIONS_DIR));
const created: string[] = [];

afterAll(async () => {
  await Promise.all(created.map((name) => dropDatabase(server, name)));
});

/** A new, empty database on the test server; its URL. */
async function emptyDatabase(): Promise<string> {
  const name = await createScratchDatabase(server, 'migrate');
  created.push(name);
  return databaseUrl(server, name);
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function databases(): Promise<string[]> {
  const rows = await query<{ datname: string }>(server, 'SELECT datname FROM pg_database');
  return rows.map((row) => row.datname);
}

describe('migrateDeploy on PostgreSQL', () => {
  it('creates the schema with times as timestamptz(3), and records checksums', async () => {
    expect(local.length).toBeGreaterThan(0);
    const url = await emptyDatabase();

    await expect(migrateDeploy({ url })).resolves.toEqual(local);

    const columns = await query<{ table_name: string; column_name: string; p: number }>(
      url,
      `SELECT table_name, column_name, datetime_precision AS p FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type = 'timestamp with time zone'
         AND table_name <> '_prisma_migrations'`,
    );
    expect(columns.length).toBeGreaterThanOrEqual(8);
    expect(columns.every((column) => column.p === 3)).toBe(true);
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toContain(
      'Conversation.updatedAt',
    );
    const rows = await query<{ migration_name: string; checksum: string }>(
      url,
      'SELECT migration_name, checksum FROM _prisma_migrations ORDER BY started_at',
    );
    expect(rows.map((row) => row.migration_name)).toEqual(local);
    for (const row of rows) {
      const script = await readFile(
        path.join(POSTGRES_MIGRATIONS_DIR, row.migration_name, 'migration.sql'),
      );
      expect(row.checksum).toBe(createHash('sha256').update(script).digest('hex'));
    }
    await expect(migrateDeploy({ url })).resolves.toEqual([]);
    await expect(migrateStatus({ url })).resolves.toMatchObject({ pending: [], upToDate: true });
  });

  it('is safe when two processes deploy the same fresh database at once', async () => {
    const url = await emptyDatabase();
    const env = { DATABASE_URL: url };

    const [first, second] = await Promise.all([runCli(['deploy'], env), runCli(['deploy'], env)]);

    expect([first.code, second.code], first.stderr + second.stderr).toEqual([0, 0]);
    const outputs = [first.stdout, second.stdout];
    expect(outputs.filter((out) => out.includes('no pending migrations'))).toHaveLength(1);
    // The CLI names the database without its password.
    expect(outputs.join('')).toContain('parley:***@127.0.0.1');
    expect(outputs.join('')).not.toContain('parley:parley@');
    const status = await runCli(['status'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Database schema is up to date.');
  });
});

describe('checkDrift and migrateCreate on PostgreSQL', () => {
  // The guard for everyone who edits schema.prisma: PostgreSQL needs its migration too.
  it('finds no drift between the PostgreSQL migrations and the PostgreSQL schema', async () => {
    const before = await databases();
    const report = await checkDrift({ url: server });
    expect(
      report.sql,
      'run `DATABASE_URL=postgresql://… pnpm db:migrate:create <name>` and commit the migration',
    ).toBe('');
    expect(report.drifted).toBe(false);
    // Its scratch and shadow databases are gone, and the server's own database untouched.
    expect((await databases()).sort()).toEqual(before.sort());
    expect(await query(server, "SELECT 1 FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
  });

  it('detects a schema change without a migration, until migrateCreate writes one', async () => {
    const dir = await tempDir();
    const sources = {
      schemaPath: path.join(dir, 'schema.prisma'),
      migrationsDir: path.join(dir, 'migrations'),
      url: server,
    };
    await copyFile(POSTGRES_SCHEMA_PATH, sources.schemaPath);
    await cp(POSTGRES_MIGRATIONS_DIR, sources.migrationsDir, { recursive: true });
    await edit(sources.schemaPath, (schema) =>
      schema.replace(/(model Conversation \{\n)/, '$1  extra          String?\n'),
    );

    const drift = await checkDrift(sources);
    expect(drift.drifted).toBe(true);
    expect(drift.sql).toMatch(/ALTER TABLE "Conversation" ADD COLUMN\s+"extra" TEXT/);

    const migration = await migrateCreate('add_extra', sources);
    expect(migration?.sql).toMatch(/ALTER TABLE "Conversation" ADD COLUMN\s+"extra" TEXT/);
    expect(await readFile(path.join(sources.migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(
      lockfileContent('postgresql'),
    );
    await expect(checkDrift(sources)).resolves.toEqual({ drifted: false, sql: '' });

    const url = await emptyDatabase();
    const applied = await migrateDeploy({ ...sources, url });
    expect(applied.at(-1)).toBe(migration?.name);
  });
});

describe('createTestDatabase on PostgreSQL', () => {
  it('gives a migrated database of its own that Prisma reads and writes', async () => {
    const database = await createPostgresTestDatabase();
    try {
      expect(database.provider).toBe('postgresql');
      const { db } = database;
      const at = new Date('2026-01-02T03:04:05.678Z');
      await db.organization.create({ data: { id: 'org_1', slug: 'acme', createdAt: at } });
      const org = await db.organization.findUniqueOrThrow({ where: { id: 'org_1' } });
      expect(org.createdAt.toISOString()).toBe(at.toISOString());
      expect(await db.$queryRaw`SELECT "slug" FROM "Organization"`).toEqual([{ slug: 'acme' }]);
    } finally {
      await database.close();
    }
  });
});
