/**
 * `pnpm bench --postgres` measures Parley on a copy of the SQLite seed in PostgreSQL: the copy must
 * be what Parley would have written itself, or the figures are of something else. The copy of a
 * few thousand conversations (made as at 1M: in batches, the indexes and foreign keys after the
 * rows) has the migrated schema's indexes and constraints; Parley, started on it, serves the
 * benchmarked user's conversations (and only theirs) with the times the seed stored, and renames
 * one; the plans of the hot queries on it pass the checks. Then a small `--postgres --scale` run,
 * on both databases, and its report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgresServer, type PostgresServer } from '@parley/db/testing';
import { migrateDeploy } from '@parley/db/migrate';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCursors } from '../src/checks.ts';
import { checkPlans, explainHotQueries } from '../src/explain.ts';
import { releaseAll } from '../src/lifecycle.ts';
import { postgresSizes, seedPostgres } from '../src/postgres.ts';
import { REPO_ROOT, startTarget, type Target } from '../src/process.ts';
import { bar, type ScaleRun } from '../src/report.ts';
import { runScale } from '../src/scale.ts';
import { subjectOf } from '../src/scenarios.ts';
import { seedDataDir, type SeededDatabase } from '../src/seed.ts';
import { settingsFrom, type Settings } from '../src/settings.ts';
import { summaryLines } from '../src/summary.ts';

const SERVER_ENTRY = path.join(REPO_ROOT, 'apps/server/src/main.ts');

let dir: string;
let server: PostgresServer | undefined;
let parley: Target | undefined;
let seeded: SeededDatabase;
let databaseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-pg-'));
  server = await startPostgresServer();
  // Several batches of the copy, and most rows someone else's, as at scale.
  seeded = await seedDataDir(path.join(dir, 'seed'), {
    conversations: 25_000,
    own: 1_000,
    otherUsers: 40,
  });
  ({ url: databaseUrl } = await seedPostgres(server.url, 'bench_copy', seeded));
  parley = await startTarget({
    name: 'parley',
    entry: SERVER_ENTRY,
    cwd: path.join(REPO_ROOT, 'apps/server'),
    env: { LOG_LEVEL: 'silent', PARLEY_DATA_DIR: dir, DATABASE_URL: databaseUrl },
  });
});

afterAll(async () => {
  await parley?.stop();
  await server?.destroy();
  await releaseAll();
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

/** The schema as the catalog describes it: index and constraint definitions. */
async function schemaOf(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const indexes = await client.query<{ def: string }>(
      `SELECT indexdef AS def FROM pg_indexes WHERE schemaname = current_schema()`,
    );
    const constraints = await client.query<{ def: string }>(
      `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE connamespace = current_schema()::regnamespace`,
    );
    return [...indexes.rows, ...constraints.rows].map((r) => r.def).sort();
  } finally {
    await client.end();
  }
}

describe('the PostgreSQL copy of the seed', () => {
  it('has every index and constraint of a database migrated afresh', async () => {
    const fresh = new URL(server!.url);
    const admin = new pg.Client({ connectionString: fresh.href });
    await admin.connect();
    await admin.query('CREATE DATABASE bench_fresh');
    await admin.end();
    fresh.pathname = '/bench_fresh';
    await migrateDeploy({ url: fresh.href });
    const copy = await schemaOf(databaseUrl);
    expect(copy.some((def) => /gin_trgm_ops/.test(def))).toBe(true);
    expect(copy.some((def) => /FOREIGN KEY/.test(def))).toBe(true);
    expect(copy).toEqual(await schemaOf(fresh.href));
  });

  it('holds every row, and its sizes are read', async () => {
    const sizes = await postgresSizes(databaseUrl);
    expect(sizes.tableBytes.Conversation).toBeGreaterThan(0);
    expect(sizes.searchIndexBytes).toBeGreaterThan(0);
    expect(sizes.bytes).toBeGreaterThan(sizes.tableBytes.Conversation ?? Infinity);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const counted = await client.query<{ n: string }>('SELECT count(*) AS n FROM "Conversation"');
    await client.end();
    expect(Number(counted.rows[0]?.n)).toBe(seeded.total);
  });

  it('is served by Parley as stored: the user’s conversations only, with their times; a rename', async () => {
    const ids: string[] = [];
    const updated = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const { status, body } = await trpc(
        'conversation.list',
        cursor ? { limit: 100, cursor } : { limit: 100 },
      );
      expect(status).toBe(200);
      for (const c of body.result.data.items as { id: string; updatedAt: string }[]) {
        ids.push(c.id);
        updated.set(c.id, Date.parse(c.updatedAt));
      }
      cursor = body.result.data.nextCursor ?? undefined;
    } while (cursor);
    expect(ids.sort()).toEqual([...seeded.ownIds].sort());

    const sqlite = new Database(seeded.file, { readonly: true });
    const stored = sqlite
      .prepare('SELECT id, updatedAt FROM Conversation WHERE userId = ?')
      .all(seeded.userId) as { id: string; updatedAt: string }[];
    sqlite.close();
    for (const row of stored) expect(updated.get(row.id)).toBe(Date.parse(row.updatedAt));

    const renamed = await trpc(
      'conversation.rename',
      { id: seeded.ownIds[0], title: 'Renamed on PostgreSQL' },
      'POST',
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body.result.data).toMatchObject({ title: 'Renamed on PostgreSQL', version: 2 });
  });

  it('is read by the hot queries as checkPlans wants: primary key, index seeks, no scan', async () => {
    const cursors = await collectCursors(parley!.url, subjectOf(seeded), 10);
    const plans = await explainHotQueries(
      { url: databaseUrl },
      {
        key: seeded.key,
        id: seeded.ownIds[500] ?? '',
        cursor: cursors[Math.floor(cursors.length / 2)] ?? '',
      },
    );
    const update = plans[0]?.statements.find((s) => /^\s*UPDATE\b/i.test(s.sql));
    expect(update?.plan.join('\n')).toMatch(/Update on "Conversation"/);
    const checks = checkPlans(plans, 'postgresql');
    expect(checks.map((c) => c.check)).toContain(
      'list, keyset page: seeks (userId, updatedAt, id) to the cursor, no sort',
    );
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });
});

describe('a small --postgres --scale run', () => {
  let settings: Settings;
  let runs: ScaleRun[];

  beforeAll(async () => {
    const options = settingsFrom(
      ['--quick', '--scale', '--postgres', '--large', '4000', '--no-save'].concat([
        '--seconds',
        '0.5',
        '--rounds',
        '1',
        '--warmup',
        '0',
        '--connections',
        '4',
      ]),
    );
    settings = { ...options, parleyEntry: SERVER_ENTRY };
    runs = await runScale(settings, path.join(dir, 'scale'), ['sqlite', 'postgresql']);
  });

  it('measures the same scenarios on both databases at both sizes, and checks their plans', () => {
    expect(runs.map((r) => r.database)).toEqual(['sqlite', 'postgresql']);
    const [sqlite, postgres] = runs as [ScaleRun, ScaleRun];
    const operations = (run: ScaleRun) => run.scenarios.map((f) => f.id.split('@')[0]);
    expect(operations(postgres)).toEqual(operations(sqlite));
    expect(postgres.scenarios.map((f) => f.target)).toEqual(
      expect.arrayContaining(['parley-postgres@1k', 'parley-postgres@4k']),
    );
    for (const f of postgres.scenarios) {
      expect(f.rounds.every((r) => r.requests > 0)).toBe(true);
    }
    expect(Object.keys(postgres.ratios)).toEqual(Object.keys(sqlite.ratios));
    expect(Object.keys(postgres.ratios)).toContain('list.trpc');
    for (const run of runs) {
      expect(run.planChecks.length).toBeGreaterThan(0);
      expect(run.planChecks.filter((c) => !c.ok)).toEqual([]);
      for (const label of [`${run === sqlite ? 'parley' : 'parley-postgres'}@4k`]) {
        expect(run.databaseMb[label]).toBeGreaterThan(0);
        expect(run.searchIndexMb[label]).toBeGreaterThan(0);
        expect(run.tableMb[label]?.Conversation).toBeGreaterThan(0);
        expect(run.seedSteps[label]).toHaveProperty('rows');
      }
    }
    expect(postgres.seedSteps['parley-postgres@4k']).toHaveProperty('indexes');
  });

  it('is reported: a section per database, their plans and checks, and both side by side', () => {
    const [sqlite, postgres] = runs as [ScaleRun, ScaleRun];
    const comparison = {
      conversations: 0,
      connections: settings.connections,
      scenarios: [],
      targets: {},
      ratios: {},
      seedSeconds: 0,
    };
    const text = summaryLines({
      settings,
      startedAt: new Date(),
      durationSeconds: 0,
      commit: null,
      loadBefore: [0, 0, 0],
      loadAfter: [0, 0, 0],
      comparison,
      scale: sqlite,
      postgresScale: postgres,
      postgres: undefined,
      bar: bar(comparison, sqlite),
      lastLine: '',
    }).join('\n');
    expect(text).toContain('## Scale on SQLite');
    expect(text).toContain('## Scale on PostgreSQL');
    expect(text).toContain('### Query plans on PostgreSQL at 4,000 conversations');
    expect(text).toMatch(/Index Scan using "Conversation_userId_updatedAt_id_idx"/);
    expect(text).toContain('Plan checks on PostgreSQL:');
    for (const c of postgres.planChecks) expect(text).toContain(`met:     ${c.check}`);
    expect(text).toContain('## Scale: SQLite and PostgreSQL side by side');
    expect(text).toMatch(/\| PostgreSQL 1k +\| PostgreSQL 4k +\| 4k\/1k time/);
  });
});
