/**
 * The scale run (--scale): Parley alone at 1,000 and at --large stored conversations (most of
 * them other users'), the same rename, get, list pages and search at both sizes, the databases'
 * sizes, and the query plans of those operations on the large database, checked. On SQLite, and
 * with --postgres on PostgreSQL as well: both hold the same seed (PostgreSQL a copy of the SQLite
 * one, made before either is measured) and go through the same steps here; what differs by
 * database is its ScaleStore (where the seed is put, what its size is, how plans are read).
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { collectCursors } from './checks.ts';
import { checkPlans, explainHotQueries, type PlanDatabase } from './explain.ts';
import { start, stop } from './lifecycle.ts';
import { measure } from './measure.ts';
import { parleyUnderLoad } from './parley.ts';
import { postgresScaleStore } from './postgres.ts';
import { log, secondsSince } from './progress.ts';
import { sizeLabel, type ScaleRun } from './report.ts';
import {
  florentRename,
  getScenario,
  listScenario,
  searchScenario,
  subjectOf,
  type Scenario,
  type Subject,
} from './scenarios.ts';
import { seedDataDir, TABLES, type SeededDatabase } from './seed.ts';
import type { Settings } from './settings.ts';
import { fmt, MB, ratio, round } from './stats.ts';

export type ScaleDatabase = 'sqlite' | 'postgresql';

export interface DatabaseSizes {
  /** The whole database: the SQLite file, or pg_database_size. */
  bytes: number;
  /** The search indexes: SQLite's FTS5 tables, PostgreSQL's trigram indexes. */
  searchIndexBytes: number;
  /** Each of Parley's tables with its indexes. */
  tableBytes: Record<string, number>;
}

/** A seeded database where a store keeps it, ready for Parley. */
export interface PlacedDatabase {
  seeded: SeededDatabase;
  /** Parley's data directory, and what its environment adds to it (DATABASE_URL). */
  dataDir: string;
  env: Record<string, string>;
  /** Where the query plans are read. */
  location: PlanDatabase;
  /** Seconds it took to put there (seeding, or copying the seed), in all and by step. */
  seedSeconds: number;
  seedSteps: Record<string, number>;
  sizes: DatabaseSizes;
}

/** What the scale run needs of a database. */
export interface ScaleStore {
  database: ScaleDatabase;
  /** Prefix of the targets' names: parley@1M on SQLite, parley-postgres@1M. */
  target: string;
  /** The database server, for the report. */
  description: string;
  /** Puts a seeded database in the store (`label` names it, e.g. "1M"). */
  place(seeded: SeededDatabase, label: string): Promise<PlacedDatabase>;
  close(): Promise<void>;
}

/** SQLite: the seeded file is the database, measured where it lies. */
const sqliteStore: ScaleStore = {
  database: 'sqlite',
  target: 'parley',
  description: 'SQLite (WAL), the file in a temporary directory',
  place(seeded) {
    return Promise.resolve({
      seeded,
      dataDir: path.dirname(seeded.file),
      env: {},
      location: { file: seeded.file },
      seedSeconds: seeded.seconds.migrate + seeded.seconds.seed,
      seedSteps: { migrate: seeded.seconds.migrate, rows: seeded.seconds.seed },
      sizes: sqliteSizes(seeded.file),
    });
  },
  close: () => Promise.resolve(),
};

/**
 * Seeds both sizes once, puts them in each database's store (copies before any load changes
 * them), then measures one database after the other (PostgreSQL, checkpointed, idles while SQLite
 * is measured); one ScaleRun per database.
 */
export async function runScale(
  settings: Settings,
  tmp: string,
  databases: readonly ScaleDatabase[],
): Promise<ScaleRun[]> {
  const sizes = [
    { conversations: 1_000, own: 1_000 },
    { conversations: settings.large, own: settings.largeOwn },
  ];
  const seeded: SeededDatabase[] = [];
  for (const size of sizes) {
    const since = performance.now();
    seeded.push(await seedDataDir(path.join(tmp, `scale-${sizeLabel(size.conversations)}`), size));
    log(
      `seeded ${fmt(size.conversations)} conversations (${fmt(size.own)} the user's) in ` +
        `${secondsSince(since).toFixed(1)} s`,
    );
  }
  const stores: ScaleStore[] = [];
  try {
    const placed: PlacedDatabase[][] = [];
    for (const database of databases) {
      const store = database === 'sqlite' ? sqliteStore : await postgresScaleStore(tmp);
      stores.push(store);
      const here: PlacedDatabase[] = [];
      for (const db of seeded) {
        const at = await store.place(db, sizeLabel(db.total));
        log(
          `${store.database}: ${fmt(db.total)} conversations in ${at.seedSeconds.toFixed(1)} s ` +
            `(${Object.entries(at.seedSteps)
              .map(([step, s]) => `${step} ${s.toFixed(1)} s`)
              .join(', ')}): ${(at.sizes.bytes / MB).toFixed(1)} MB`,
        );
        here.push(at);
      }
      placed.push(here);
    }
    const runs: ScaleRun[] = [];
    for (const [i, store] of stores.entries()) {
      runs.push(await measureScale(settings, store, placed[i] ?? []));
    }
    return runs;
  } finally {
    for (const store of stores) await store.close();
  }
}

/** Parley on one database at both sizes: the load, the ratios, and the plans at the large size. */
async function measureScale(
  settings: Settings,
  store: ScaleStore,
  placed: PlacedDatabase[],
): Promise<ScaleRun> {
  const labels = placed.map((db) => `${store.target}@${sizeLabel(db.seeded.total)}`);
  const started = await Promise.all(
    placed.map((db, i) => {
      const spec = parleyUnderLoad(labels[i] ?? '', db.dataDir, settings);
      spec.env = { ...spec.env, ...db.env };
      return start(spec);
    }),
  );
  const targets = new Map(started.map((t) => [t.name, t]));
  const subjects = new Map<string, Subject>();
  for (const [i, db] of placed.entries()) {
    const target = started[i];
    const label = labels[i];
    if (!target || !label) continue;
    const subject = subjectOf(db.seeded);
    subject.cursors = await collectCursors(target.url, subject, 100);
    subjects.set(label, subject);
  }
  const scenarios: Scenario[] = [];
  for (const make of [florentRename, getScenario, listScenario, searchScenario]) {
    for (const label of labels) {
      const subject = subjects.get(label);
      if (subject) scenarios.push(make(label, subject));
    }
  }
  log(`scale run on ${store.database}: ${labels.join(' and ')}`);
  const figures = await measure(scenarios, targets, subjects, settings);
  const peakRssMb: Record<string, number> = {};
  for (const target of started) peakRssMb[target.name] = round((await stop(target)) / MB, 1);

  const [smallLabel, largeLabel] = labels;
  const ratios: ScaleRun['ratios'] = {};
  for (const op of ['rename.florent', 'get.trpc', 'list.trpc', 'search.trpc']) {
    const small = figures.find((f) => f.id === `${op}@${smallLabel}`);
    const big = figures.find((f) => f.id === `${op}@${largeLabel}`);
    if (!small || !big) continue;
    ratios[op] = {
      rpsSmallOverLarge: round(ratio(small.rps, big.rps), 3),
      p50LargeOverSmall: round(ratio(big.p50Ms, small.p50Ms), 3),
      p99LargeOverSmall: round(ratio(big.p99Ms, small.p99Ms), 3),
    };
  }

  const large = placed[1];
  const largeSubject = largeLabel ? subjects.get(largeLabel) : undefined;
  if (!large || !largeSubject) throw new Error('no large database');
  const cursors = largeSubject.cursors ?? [];
  const queryPlans = await explainHotQueries(large.location, {
    key: large.seeded.key,
    id: large.seeded.ownIds[Math.floor(large.seeded.ownIds.length / 2)] ?? '',
    cursor: cursors[Math.floor(cursors.length / 2)] || (cursors.at(-1) ?? ''),
  });
  const byLabel = <T>(value: (db: PlacedDatabase) => T): Record<string, T> =>
    Object.fromEntries(placed.map((db, i) => [labels[i] ?? '', value(db)]));
  const mb = (bytes: number) => round(bytes / MB, 1);
  return {
    database: store.database,
    server: store.description,
    small: placed[0]?.seeded.total ?? 0,
    large: settings.large,
    largeOwn: settings.largeOwn,
    scenarios: figures,
    ratios,
    peakRssMb,
    seedSeconds: byLabel((db) => round(db.seedSeconds, 1)),
    seedSteps: byLabel((db) =>
      Object.fromEntries(Object.entries(db.seedSteps).map(([step, s]) => [step, round(s, 1)])),
    ),
    databaseMb: byLabel((db) => mb(db.sizes.bytes)),
    searchIndexMb: byLabel((db) => mb(db.sizes.searchIndexBytes)),
    tableMb: byLabel((db) =>
      Object.fromEntries(Object.entries(db.sizes.tableBytes).map(([t, b]) => [t, mb(b)])),
    ),
    queryPlans,
    planChecks: checkPlans(queryPlans, store.database),
  };
}

/**
 * The file's size, its search indexes (FTS5 tables and their shadow tables) and each table with
 * its indexes, from SQLite's dbstat.
 */
function sqliteSizes(file: string): DatabaseSizes {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const search = sqlite
      .prepare(
        `SELECT SUM(pgsize) AS bytes FROM dbstat
         WHERE name LIKE 'ConversationTitleSearch%' OR name LIKE 'MessageSearch%'`,
      )
      .get() as { bytes: number | null };
    const tables = sqlite
      .prepare(
        `SELECT m.tbl_name AS name, SUM(d.pgsize) AS bytes
         FROM dbstat d JOIN sqlite_master m ON m.name = d.name GROUP BY m.tbl_name`,
      )
      .all() as { name: string; bytes: number }[];
    const tableBytes: Record<string, number> = {};
    for (const table of TABLES)
      tableBytes[table] = tables.find((t) => t.name === table)?.bytes ?? 0;
    return { bytes: fileSize(file), searchIndexBytes: search.bytes ?? 0, tableBytes };
  } finally {
    sqlite.close();
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return NaN;
  }
}
