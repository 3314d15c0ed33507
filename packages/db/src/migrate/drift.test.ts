import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MigrationError,
  checkDrift,
  migrateCreate,
  migrateDeploy,
  migrateStatus,
} from './index.ts';
import { lockfileContent } from './migrations.ts';
import { copyOfSources, edit, query, tempDir } from '../../testing/migrations.ts';

/** Adds a nullable column to Conversation, the smallest change a migration must capture. */
const addExtraColumn = (schema: string) =>
  schema.replace(/(model Conversation \{\n)/, '$1  extra          String?\n');

describe('checkDrift', () => {
  // The guard for everyone who edits schema.prisma: it fails until a migration is created.
  it('finds no drift between the repository migrations and schema.prisma', async () => {
    const report = await checkDrift();
    expect(report.sql, 'run `pnpm db:migrate:create <name>` and commit the migration').toBe('');
    expect(report.drifted).toBe(false);
  });

  it('detects a schema change without a migration, until migrateCreate writes one', async () => {
    const sources = await copyOfSources();
    const file = path.join(await tempDir(), 'parley.db');
    await migrateDeploy({ file, ...sources }); // a database on the old schema
    await edit(sources.schemaPath, addExtraColumn);

    const drift = await checkDrift(sources);
    expect(drift.drifted).toBe(true);
    expect(drift.sql).toMatch(/ALTER TABLE "Conversation" ADD COLUMN "extra" TEXT/);

    const created = await migrateCreate('add_extra', sources);
    expect(created).not.toBeNull();
    if (!created) return;
    expect(created.name).toMatch(/^\d{14}_add_extra$/);
    expect(created.path).toBe(path.join(sources.migrationsDir, created.name));
    const script = await readFile(path.join(created.path, 'migration.sql'), 'utf8');
    expect(script).toBe(created.sql);
    expect(script).toMatch(/ALTER TABLE "Conversation" ADD COLUMN "extra" TEXT/);
    expect(await readFile(path.join(sources.migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(
      lockfileContent('sqlite'),
    );

    await expect(checkDrift(sources)).resolves.toEqual({ drifted: false, sql: '' });
    expect((await migrateStatus({ file, ...sources })).pending).toEqual([created.name]);
    await expect(migrateDeploy({ file, ...sources })).resolves.toEqual([created.name]);
    const columns = query<{ name: string }>(file, 'PRAGMA table_info("Conversation")');
    expect(columns.map((column) => column.name)).toContain('extra');
    expect((await migrateStatus({ file, ...sources })).upToDate).toBe(true);
  });

  it('replays multi-statement migrations (table redefinition) on the shadow database', async () => {
    // Making a column required makes SQLite redefine the table: a many-statement script that
    // better-sqlite3 would refuse through executeRaw without the adapter's fallback.
    const sources = await copyOfSources();
    await edit(sources.schemaPath, (schema) =>
      schema.replace('  userDisplay    String?\n', '  userDisplay    String @default("")\n'),
    );
    const created = await migrateCreate('require_user_display', sources);
    expect(created?.sql).toMatch(/CREATE TABLE "new_Conversation"/);
    await expect(checkDrift(sources)).resolves.toEqual({ drifted: false, sql: '' });

    // And the result deploys onto a fresh database.
    const file = path.join(await tempDir(), 'parley.db');
    const applied = await migrateDeploy({ file, ...sources });
    expect(applied.at(-1)).toBe(created?.name);
    // The redefinition kept the index that was created with the table.
    const indexes = query<{ name: string }>(
      file,
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Conversation'",
    );
    expect(indexes.map((index) => index.name)).toContain('Conversation_userId_updatedAt_id_idx');
  });
});

describe('migrateCreate', () => {
  it('writes nothing when the schema has no changes', async () => {
    const sources = await copyOfSources();
    const before = await readdir(sources.migrationsDir);

    await expect(migrateCreate('nothing', sources)).resolves.toBeNull();

    expect(await readdir(sources.migrationsDir)).toEqual(before);
  });

  it('creates the first migration and the lockfile in an empty directory', async () => {
    const sources = await copyOfSources();
    const migrationsDir = path.join(await tempDir(), 'fresh-migrations');

    const created = await migrateCreate('init', { ...sources, migrationsDir });

    expect(created?.sql).toMatch(/CREATE TABLE "Conversation"/);
    expect(created?.sql).toMatch(
      /CREATE INDEX "Conversation_userId_updatedAt_id_idx" ON "Conversation"\("userId", "updatedAt" DESC, "id" DESC\)/,
    );
    expect(existsSync(path.join(migrationsDir, 'migration_lock.toml'))).toBe(true);
  });

  it('rejects a name that is not a plain identifier', async () => {
    const sources = await copyOfSources();
    await expect(migrateCreate('../escape', sources)).rejects.toThrow(MigrationError);
    await expect(migrateCreate('', sources)).rejects.toThrow(MigrationError);
  });
});
