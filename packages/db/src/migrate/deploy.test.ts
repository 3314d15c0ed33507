import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../client.ts';
import { DEFAULT_MIGRATIONS_DIR, MigrationError, migrateDeploy, migrateStatus } from './index.ts';
import { readMigrations, migrationNames } from './migrations.ts';
import { copyOfSources, query, runCli, tableNames, tempDir } from '../../testing/migrations.ts';

const localMigrations = migrationNames(await readMigrations(DEFAULT_MIGRATIONS_DIR));

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: string | null;
  rolled_back_at: string | null;
  applied_steps_count: number;
}

describe('migrateDeploy', () => {
  it('creates the schema on a fresh file and records each migration with its checksum', async () => {
    expect(localMigrations.length).toBeGreaterThan(0);
    const file = path.join(await tempDir(), 'nested', 'parley.db');

    const applied = await migrateDeploy({ file });

    expect(applied).toEqual(localMigrations);
    expect(tableNames(file)).toEqual(
      expect.arrayContaining([
        '_prisma_migrations',
        'ApiKey',
        'Conversation',
        'Message',
        'Organization',
        'User',
      ]),
    );
    const indexes = query<{ name: string }>(
      file,
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Conversation'",
    ).map((row) => row.name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'Conversation_userId_updatedAt_id_idx',
        'Conversation_userId_idempotencyKey_key',
      ]),
    );
    const rows = query<MigrationRow>(file, 'SELECT * FROM _prisma_migrations ORDER BY started_at');
    expect(rows.map((row) => row.migration_name)).toEqual(localMigrations);
    for (const row of rows) {
      const script = await readFile(
        path.join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'),
      );
      expect(row.checksum).toBe(createHash('sha256').update(script).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
    }
  });

  it('applies nothing the second time and does not fail', async () => {
    const file = path.join(await tempDir(), 'parley.db');
    await migrateDeploy({ file });

    await expect(migrateDeploy({ file })).resolves.toEqual([]);
    await expect(migrateDeploy({ file })).resolves.toEqual([]);
    const rows = query<MigrationRow>(file, 'SELECT * FROM _prisma_migrations');
    expect(rows).toHaveLength(localMigrations.length);
  });

  it('works on a database the caller already opened, and Prisma can use it after', async () => {
    // The order the server and the api test harness use: open, then migrate.
    const database = await openSqlite({ dataDir: await tempDir() });
    try {
      await expect(migrateDeploy({ file: database.file })).resolves.toEqual(localMigrations);
      await expect(migrateDeploy({ file: database.file })).resolves.toEqual([]);

      const { db } = database;
      await db.organization.create({ data: { id: 'org_1', slug: 'acme' } });
      await db.user.create({ data: { id: 'user_1', orgId: 'org_1', name: 'ada' } });
      await db.conversation.create({
        data: {
          id: '01JD0000000000000000000000',
          orgId: 'org_1',
          userId: 'user_1',
          title: 'Hello',
          model: 'gpt-test',
          createdById: 'user_1',
          updatedById: 'user_1',
        },
      });
      const conversation = await db.conversation.findUniqueOrThrow({
        where: { id: '01JD0000000000000000000000' },
      });
      expect(conversation).toMatchObject({ title: 'Hello', version: 1, titleSource: 'default' });
      // The unique (userId, idempotencyKey) constraint came from the migration.
      await db.conversation.update({
        where: { id: conversation.id },
        data: { idempotencyKey: 'k1' },
      });
      await expect(
        db.conversation.create({
          data: {
            id: '01JD0000000000000000000001',
            orgId: 'org_1',
            userId: 'user_1',
            title: 'Again',
            model: 'gpt-test',
            idempotencyKey: 'k1',
            createdById: 'user_1',
            updatedById: 'user_1',
          },
        }),
      ).rejects.toThrow(/Unique constraint/);
    } finally {
      await database.close();
    }
  });

  it('serializes concurrent deploys of one process on one file', async () => {
    const file = path.join(await tempDir(), 'parley.db');

    const results = await Promise.all([
      migrateDeploy({ file }),
      migrateDeploy({ file }),
      migrateDeploy({ file }),
    ]);

    expect(results.filter((applied) => applied.length > 0)).toEqual([localMigrations]);
    expect(query(file, 'SELECT * FROM _prisma_migrations')).toHaveLength(localMigrations.length);
  });

  it('is safe when two processes deploy the same fresh file at once', async () => {
    const file = path.join(await tempDir(), 'parley.db');
    const env = { DATABASE_URL: `file:${file}` };

    const [first, second] = await Promise.all([runCli(['deploy'], env), runCli(['deploy'], env)]);

    expect([first.code, second.code], first.stderr + second.stderr).toEqual([0, 0]);
    const outputs = [first.stdout, second.stdout];
    expect(outputs.filter((out) => out.includes('no pending migrations'))).toHaveLength(1);
    expect(outputs.filter((out) => out.includes(`applied ${localMigrations.length}`))).toHaveLength(
      1,
    );
    const rows = query<MigrationRow>(file, 'SELECT * FROM _prisma_migrations');
    expect(rows.map((row) => row.finished_at === null)).toEqual(localMigrations.map(() => false));
  });

  it('refuses a missing migrations directory instead of leaving an empty database', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'parley.db');
    await expect(migrateDeploy({ file, migrationsDir: path.join(dir, 'nowhere') })).rejects.toThrow(
      MigrationError,
    );
    expect(existsSync(file)).toBe(false);
  });

  it('records a failing migration, reports it, and blocks the next deploy (P3009)', async () => {
    const sources = await copyOfSources();
    const file = path.join(await tempDir(), 'parley.db');
    await migrateDeploy({ file, ...sources });
    const broken = '29990101000000_broken';
    await mkdir(path.join(sources.migrationsDir, broken));
    await writeFile(
      path.join(sources.migrationsDir, broken, 'migration.sql'),
      'ALTER TABLE "NoSuchTable" ADD COLUMN "x" TEXT;\n',
    );

    const failure = await migrateDeploy({ file, ...sources }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).code).toBe('P3018');
    expect((failure as MigrationError).message).toMatch(/NoSuchTable/);

    const status = await migrateStatus({ file, ...sources });
    expect(status).toMatchObject({ failed: [broken], pending: [], upToDate: false });

    const blocked = await migrateDeploy({ file, ...sources }).catch((error: unknown) => error);
    expect((blocked as MigrationError).code).toBe('P3009');
  });
});

describe('migrateStatus', () => {
  it('reports everything pending for a database that does not exist, without creating it', async () => {
    const file = path.join(await tempDir(), 'parley.db');

    const status = await migrateStatus({ file });

    expect(status).toMatchObject({
      databaseExists: false,
      local: localMigrations,
      applied: [],
      pending: localMigrations,
      failed: [],
      upToDate: false,
    });
    expect(existsSync(file)).toBe(false);
  });

  it('reports pending migrations, then applied ones after deploy', async () => {
    const sources = await copyOfSources();
    const file = path.join(await tempDir(), 'parley.db');
    await migrateDeploy({ file, ...sources });
    const later = '29990101000000_later';
    await mkdir(path.join(sources.migrationsDir, later));
    await writeFile(
      path.join(sources.migrationsDir, later, 'migration.sql'),
      'CREATE TABLE "Later" ("id" TEXT NOT NULL PRIMARY KEY);\n',
    );

    const before = await migrateStatus({ file, ...sources });
    expect(before.applied.map((migration) => migration.name)).toEqual(localMigrations);
    expect(before).toMatchObject({ pending: [later], failed: [], edited: [], upToDate: false });

    await expect(migrateDeploy({ file, ...sources })).resolves.toEqual([later]);

    const after = await migrateStatus({ file, ...sources });
    expect(after.applied.map((migration) => migration.name)).toEqual([...localMigrations, later]);
    expect(after).toMatchObject({ pending: [], failed: [], upToDate: true });
    expect(after.applied[0]?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('notices a migration edited after it was applied', async () => {
    const sources = await copyOfSources();
    const file = path.join(await tempDir(), 'parley.db');
    await migrateDeploy({ file, ...sources });
    const first = localMigrations[0] ?? '';
    const script = path.join(sources.migrationsDir, first, 'migration.sql');
    await writeFile(script, `${await readFile(script, 'utf8')}\n-- edited\n`);

    const status = await migrateStatus({ file, ...sources });

    expect(status).toMatchObject({ edited: [first], pending: [], upToDate: false });
  });

  it('exits non-zero from the CLI while migrations are pending, zero once applied', async () => {
    const file = path.join(await tempDir(), 'parley.db');
    const env = { DATABASE_URL: `file:${file}` };

    const pending = await runCli(['status'], env);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toMatch(/Pending:\s+\S+_init/);

    expect((await runCli(['deploy'], env)).code).toBe(0);
    const upToDate = await runCli(['status'], env);
    expect(upToDate.code, upToDate.stderr).toBe(0);
    expect(upToDate.stdout).toContain('Database schema is up to date.');
  });
});
