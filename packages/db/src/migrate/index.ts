// Parley's migration API: what `prisma migrate deploy | status | dev --create-only` and a
// drift check do, run offline through the wasm schema engine (engine.ts) against the
// migrations directory (migrations.ts). The server calls migrateDeploy at start-up.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm';
import { MigrationError } from './errors.ts';
import {
  lastPanicMessage,
  withEngine,
  type EngineTarget,
  type SchemaEngine,
  type SchemaFile,
} from './engine.ts';
import { allApplied, readMigrationsTable } from './history.ts';
import { withMigrationLock } from './lock.ts';
import { migrationNames, readMigrations, writeMigration } from './migrations.ts';
import {
  createScratchDatabase,
  databaseUrl,
  dropDatabase,
  readPostgresMigrationsTable,
} from './postgres.ts';

export { MigrationError };

// Found through the package itself, not relative to this file: the server's production build
// bundles this module into apps/server/dist, where the migrations are not next to it.
const PACKAGE_PRISMA_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@parley/db/package.json')),
  'prisma',
);

/** packages/db/prisma/migrations (SQLite's), wherever the process was started from. */
export const DEFAULT_MIGRATIONS_DIR = path.join(PACKAGE_PRISMA_DIR, 'migrations');
/** packages/db/prisma/schema.prisma, the model's source, wherever the process was started from. */
export const DEFAULT_SCHEMA_PATH = path.join(PACKAGE_PRISMA_DIR, 'schema.prisma');
/** PostgreSQL's migrations: their own history, for their own SQL. */
export const POSTGRES_MIGRATIONS_DIR = path.join(PACKAGE_PRISMA_DIR, 'postgresql', 'migrations');
/** PostgreSQL's schema, generated from schema.prisma (scripts/postgres-schema.mjs). */
export const POSTGRES_SCHEMA_PATH = path.join(PACKAGE_PRISMA_DIR, 'postgresql', 'schema.prisma');

/**
 * Tables Prisma's model does not describe, left out of diffs (Prisma's `tables.external`): the
 * SQLite search indexes (FTS5 virtual tables and the shadow tables FTS5 keeps for each), made by
 * hand in SQLite's `search` migration. Without this the drift check would report them, and every
 * migration created afterwards would drop them. PostgreSQL's search index is in the model.
 */
const SEARCH_INDEX_TABLES = ['ConversationTitleSearch', 'MessageSearch'].flatMap((table) => [
  table,
  ...['config', 'data', 'docsize', 'idx'].map((part) => `${table}_${part}`),
]);

/** What the engine leaves out of its view of a database. */
function schemaFilters(target: EngineTarget): SchemaFilter {
  return { externalTables: 'url' in target ? [] : SEARCH_INDEX_TABLES, externalEnums: [] };
}

export interface SourceOptions {
  /** Directory of migrations; default the provider's (DEFAULT_ or POSTGRES_MIGRATIONS_DIR). */
  migrationsDir?: string;
  /** The Prisma schema; default the provider's (DEFAULT_ or POSTGRES_SCHEMA_PATH). */
  schemaPath?: string;
}

/**
 * The database: `file`, the path of a SQLite file (see resolveSqlitePath), or `url`, a
 * PostgreSQL URL (postgresql://…).
 */
export type DatabaseOptions = SourceOptions & EngineTarget;

/** For the commands that need no database of their own on SQLite: a PostgreSQL server to use. */
export interface ServerOptions extends SourceOptions {
  /**
   * A PostgreSQL URL: work on PostgreSQL's history, with scratch and shadow databases created
   * beside this one (and dropped). Without it, SQLite's, on scratch files.
   */
  url?: string | undefined;
}

/** Engine errors arrive as `{ name, code, message }`; a Rust panic as a bare RuntimeError. */
function toMigrationError(action: string, error: unknown): MigrationError {
  if (error instanceof MigrationError) return error;
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : undefined;
  // Drop the Rust span trace ("   0: sql_schema_connector::…") the engine appends.
  let message = (error instanceof Error ? error.message : String(error)).split(/\n\s+0: /)[0] ?? '';
  if (error instanceof Error && error.name === 'RuntimeError') {
    message = lastPanicMessage() ?? message;
  }
  // SQLITE_BUSY reaches the engine as an adapter error kind it cannot decode ("unknown
  // variant `SocketTimeout`"): say what it means instead.
  if (message.includes('`SocketTimeout`') || /SQLITE_BUSY|database is locked/.test(message)) {
    message =
      'the database is locked by another connection (is a Parley server or another migration ' +
      'running on this file?); stop it and retry';
  }
  return new MigrationError(`${action} failed${code ? ` (${code})` : ''}: ${message}`, code, {
    cause: error,
  });
}

async function readSchema(schemaPath: string): Promise<SchemaFile> {
  return { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
}

function resolveSources(options: SourceOptions & { url?: string | undefined }): {
  migrationsDir: string;
  schemaPath: string;
} {
  const postgres = options.url !== undefined;
  return {
    migrationsDir: path.resolve(
      options.migrationsDir ?? (postgres ? POSTGRES_MIGRATIONS_DIR : DEFAULT_MIGRATIONS_DIR),
    ),
    schemaPath: path.resolve(
      options.schemaPath ?? (postgres ? POSTGRES_SCHEMA_PATH : DEFAULT_SCHEMA_PATH),
    ),
  };
}

/** Runs the engine against a database, turning its failures into MigrationErrors. */
async function runEngine<T>(
  action: string,
  target: EngineTarget,
  schema: SchemaFile,
  fn: (engine: SchemaEngine, filters: SchemaFilter) => Promise<T>,
): Promise<T> {
  try {
    return await withEngine({ target, schema }, (engine) => fn(engine, schemaFilters(target)));
  } catch (error) {
    throw toMigrationError(action, error);
  }
}

// SQLite waits for a lock synchronously, blocking the event loop: two deploys of one process
// on one file would stall each other until the lock timeout. Queue them per file.
const deployQueues = new Map<string, Promise<unknown>>();

async function oneAtATime<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const key = path.resolve(file);
  const run = (deployQueues.get(key) ?? Promise.resolve()).then(fn);
  const settled = run.catch(() => undefined);
  deployQueues.set(key, settled);
  try {
    return await run;
  } finally {
    if (deployQueues.get(key) === settled) deployQueues.delete(key);
  }
}

/**
 * Applies the migrations the database has not seen yet, in order, like `prisma migrate
 * deploy`, and returns their names (empty when there was nothing to do). Each is recorded in
 * `_prisma_migrations` with its checksum; a migration that failed earlier blocks every later
 * deploy (P3009) until it is resolved by hand. Safe to call at every start, with the
 * database already open, and from several processes at once (lock.ts: the others wait, then
 * find nothing to do).
 */
export function migrateDeploy(options: DatabaseOptions): Promise<string[]> {
  if ('url' in options) return oneAtATime(options.url, () => deployPostgres(options));
  return oneAtATime(options.file, () => deploy(options));
}

/**
 * PostgreSQL: the engine takes PostgreSQL's advisory migration lock itself (one connection,
 * held while it applies), so deploys from several processes queue on the server.
 */
async function deployPostgres(options: SourceOptions & { url: string }): Promise<string[]> {
  const { migrationsDir, schemaPath } = resolveSources(options);
  if (!existsSync(migrationsDir)) {
    throw new MigrationError(`No migrations directory at ${migrationsDir}`);
  }
  const migrationsList = await readMigrations(migrationsDir);
  const names = migrationNames(migrationsList);
  const rows = await readPostgresMigrationsTable(options.url).catch(() => undefined);
  if (rows && allFinished(rows, names)) return [];
  const schema = await readSchema(schemaPath);
  try {
    const result = await runEngine(
      'migrate deploy',
      { url: options.url },
      schema,
      (engine, filters) => engine.applyMigrations({ migrationsList, filters }),
    );
    return result.appliedMigrationNames;
  } catch (error) {
    const after = await readPostgresMigrationsTable(options.url).catch(() => []);
    throw nameFailed(after, error);
  }
}

function allFinished(
  rows: readonly { migration_name: string; finished_at: unknown; rolled_back_at: unknown }[],
  names: readonly string[],
): boolean {
  const live = rows.filter((row) => row.rolled_back_at === null);
  if (live.some((row) => row.finished_at === null)) return false;
  const finished = new Set(live.map((row) => row.migration_name));
  return names.every((name) => finished.has(name));
}

async function deploy(options: SourceOptions & { file: string }): Promise<string[]> {
  const { migrationsDir, schemaPath } = resolveSources(options);
  if (!existsSync(migrationsDir)) {
    // Deploying "nothing" would leave an empty database behind; that is a packaging mistake.
    throw new MigrationError(`No migrations directory at ${migrationsDir}`);
  }
  const migrationsList = await readMigrations(migrationsDir);
  // The usual case at start-up, answered by one read without starting the engine.
  if (allApplied(options.file, migrationNames(migrationsList))) return [];
  await mkdir(path.dirname(options.file), { recursive: true });
  const schema = await readSchema(schemaPath);
  // Under the lock the engine re-reads `_prisma_migrations`, so a deploy that waited for
  // another one applies only what that one left.
  const result = await withMigrationLock(options.file, () =>
    runEngine('migrate deploy', { file: options.file }, schema, (engine, filters) =>
      engine.applyMigrations({ migrationsList, filters }),
    ),
  ).catch((error: unknown) => {
    throw nameFailedMigration(options.file, error);
  });
  return result.appliedMigrationNames;
}

/**
 * The wasm engine reports a failing script with the database's error alone (e.g. P1014 for
 * a missing table), not as the CLI's P3018 naming the migration; restore that, reading the
 * name from the row the engine left unfinished.
 */
function nameFailedMigration(file: string, error: unknown): unknown {
  let rows;
  try {
    rows = readMigrationsTable(file);
  } catch {
    return error;
  }
  return nameFailed(rows, error);
}

function nameFailed(
  rows: readonly { migration_name: string; finished_at: unknown; rolled_back_at: unknown }[],
  error: unknown,
): unknown {
  if (!(error instanceof MigrationError) || error.code === 'P3009') return error;
  const failed = rows
    .filter((row) => row.finished_at === null && row.rolled_back_at === null)
    .map((row) => row.migration_name);
  if (failed.length === 0) return error;
  const reason = error.message.replace(/^migrate deploy failed( \(\w+\))?: /, '');
  return new MigrationError(
    `migrate deploy failed (P3018): migration ${failed.join(', ')} failed to apply and is ` +
      'recorded as failed. Repair the database by hand and set rolled_back_at on its ' +
      '_prisma_migrations row (what `prisma migrate resolve --rolled-back` does) before ' +
      `deploying again.\n${reason}`,
    'P3018',
    { cause: error },
  );
}

export interface AppliedMigration {
  name: string;
  checksum: string;
  finishedAt: string;
}

export interface MigrationStatus {
  /** False when the database file does not exist yet (everything is pending). */
  databaseExists: boolean;
  /** Migrations in the directory, in order. */
  local: string[];
  /** Migrations recorded as finished in the database, in the order they were applied. */
  applied: AppliedMigration[];
  /** Local migrations not applied yet (failed ones are listed under `failed` instead). */
  pending: string[];
  /** Migrations that started and did not finish: deploy refuses to run until resolved. */
  failed: string[];
  /** Applied migrations whose migration.sql changed since (checksum mismatch). */
  edited: string[];
  /** Migrations the database has that the directory lacks (older code, newer database). */
  unknown: string[];
  /** True when nothing is pending, failed, edited or unknown. */
  upToDate: boolean;
}

/** `_prisma_migrations` times as ISO strings, whichever way the engine stored them. */
function timestamp(value: string | number | Date): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/** What is applied, pending, failed or edited, like `prisma migrate status`. Writes nothing. */
export async function migrateStatus(options: DatabaseOptions): Promise<MigrationStatus> {
  const { migrationsDir, schemaPath } = resolveSources(options);
  const migrationsList = await readMigrations(migrationsDir);
  const local = migrationNames(migrationsList);
  if ('file' in options && !existsSync(options.file)) {
    // Do not let the engine create the file just to report that it is empty.
    return {
      databaseExists: false,
      local,
      applied: [],
      pending: local,
      failed: [],
      edited: [],
      unknown: [],
      upToDate: local.length === 0,
    };
  }
  const schema = await readSchema(schemaPath);
  const target: EngineTarget = 'url' in options ? { url: options.url } : { file: options.file };
  const diagnosis = await runEngine('migrate status', target, schema, (engine, filters) =>
    engine.diagnoseMigrationHistory({
      migrationsList,
      optInToShadowDatabase: false,
      filters,
    }),
  );
  const rows = (
    'url' in options
      ? await readPostgresMigrationsTable(options.url)
      : readMigrationsTable(options.file)
  ).filter((row) => row.rolled_back_at === null);
  const applied = rows
    .filter((row) => row.finished_at !== null)
    .map((row) => ({
      name: row.migration_name,
      checksum: row.checksum,
      finishedAt: timestamp(row.finished_at ?? 0),
    }));
  const appliedNames = new Set(applied.map((migration) => migration.name));
  const failed = diagnosis.failedMigrationNames;
  const localNames = new Set(local);
  const pending = local.filter((name) => !appliedNames.has(name) && !failed.includes(name));
  const unknown = [...appliedNames].filter((name) => !localNames.has(name));
  const edited = diagnosis.editedMigrationNames;
  return {
    databaseExists: true,
    local,
    applied,
    pending,
    failed,
    edited,
    unknown,
    upToDate:
      pending.length === 0 && failed.length === 0 && edited.length === 0 && unknown.length === 0,
  };
}

export interface CreatedMigration {
  /** The directory name, `<YYYYMMDDHHMMSS>_<name>`. */
  name: string;
  /** Absolute path of the new migration directory. */
  path: string;
  sql: string;
}

/** What a migration name may be: it becomes part of a directory name. */
const MIGRATION_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Like `prisma migrate dev --create-only`: writes `<migrationsDir>/<timestamp>_<name>/
 * migration.sql` with the SQL that takes the migration history to the schema, and returns it;
 * returns null (writing nothing) when the schema has no changes. The history is replayed on a
 * scratch database, never on a real one.
 */
export async function migrateCreate(
  name: string,
  options: ServerOptions = {},
): Promise<CreatedMigration | null> {
  if (!MIGRATION_NAME.test(name)) {
    throw new MigrationError(
      `Invalid migration name "${name}": use letters, digits, "_" and "-" only`,
    );
  }
  const { migrationsDir, schemaPath } = resolveSources(options);
  const migrationsList = await readMigrations(migrationsDir);
  const schema = await readSchema(schemaPath);
  const scratch = await scratchTarget(options.url);
  try {
    const output = await runEngine(
      'migrate create',
      scratch.target,
      schema,
      async (engine, filters) => {
        // devDiagnostic needs `_prisma_migrations` to exist, and createMigration needs the
        // shadow database that devDiagnostic sets up on this same engine.
        await engine.applyMigrations({ migrationsList, filters });
        const diagnostic = await engine.devDiagnostic({ migrationsList, filters });
        if (diagnostic.action.tag === 'reset') {
          throw new MigrationError(
            `The migration history cannot be replayed: ${diagnostic.action.reason}`,
          );
        }
        return engine.createMigration({
          draft: false,
          migrationName: name,
          migrationsList,
          schema: { files: [schema] },
          filters,
        });
      },
    );
    if (output.migrationScript === null) return null;
    const directory = await writeMigration(migrationsDir, {
      name: output.generatedMigrationName,
      script: output.migrationScript,
      extension: output.extension,
      provider: output.connectorType,
    });
    return { name: output.generatedMigrationName, path: directory, sql: output.migrationScript };
  } finally {
    await scratch.remove();
  }
}

/** A database to replay the history on and throw away: a temp file, or one beside `url`. */
async function scratchTarget(
  url: string | undefined,
): Promise<{ target: EngineTarget; remove(): Promise<void> }> {
  if (url !== undefined) {
    const name = await createScratchDatabase(url, 'scratch');
    return { target: { url: databaseUrl(url, name) }, remove: () => dropDatabase(url, name) };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-migrate-'));
  return {
    target: { file: path.join(dir, 'scratch.db') },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface DriftReport {
  /** True when the schema has changes no migration captures. */
  drifted: boolean;
  /** The SQL a new migration would need (empty when not drifted). */
  sql: string;
}

/**
 * Compares the schema replayed from the migrations directory with the schema file, like
 * `prisma migrate diff --from-migrations … --to-schema … --exit-code`. A drift means someone
 * changed schema.prisma without creating a migration.
 */
export async function checkDrift(options: ServerOptions = {}): Promise<DriftReport> {
  const { migrationsDir, schemaPath } = resolveSources(options);
  const migrationsList: MigrationList = await readMigrations(migrationsDir);
  const schema = await readSchema(schemaPath);
  // The diff replays the history on a scratch database (on PostgreSQL the engine replays it
  // onto the main connection's database, not a shadow one: never a real database).
  const scratch = await scratchTarget(options.url);
  const result = await runEngine('drift check', scratch.target, schema, (engine, filters) =>
    engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: true,
      filters,
    }),
  ).finally(() => scratch.remove());
  const drifted = result.exitCode === 2;
  return { drifted, sql: drifted ? (result.stdout ?? '') : '' };
}
