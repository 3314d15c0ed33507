/**
 * The comparison: Parley and the three baselines, each on its own database seeded alike, under
 * the same REST rename (Florent's), then Parley's other scenarios; the ratios of Parley's rename
 * to each baseline's are what the bar is about.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { collectCursors } from './checks.ts';
import { start, stop } from './lifecycle.ts';
import { measure } from './measure.ts';
import { parleyUnderLoad } from './parley.ts';
import { BENCH_DIR, type TargetSpec } from './process.ts';
import { log, secondsSince } from './progress.ts';
import { pairedRatio, type Comparison } from './report.ts';
import { florentRename, parleyScenarios, subjectOf, type Subject } from './scenarios.ts';
import { seedDataDir, type SeededDatabase } from './seed.ts';
import type { Settings } from './settings.ts';
import { fmt, MB, round } from './stats.ts';

export const BASELINES = ['baseline', 'naive', 'node-http'] as const;
export type Baseline = (typeof BASELINES)[number];

const DESCRIPTIONS: Record<string, string> = {
  parley:
    'Parley as `pnpm start` runs it (apps/server/dist/main.mjs, its memory limits, NODE_ENV=production, LOG_LEVEL=warn)',
  baseline: 'Express 5 + better-sqlite3 prepared UPDATE … RETURNING (same auth, validation, shape)',
  naive: 'Express 5 + Prisma 7, the obvious rename: findUnique key, findFirst conversation, update',
  'node-http': 'Node http + better-sqlite3, same statements and rules, no framework (reference)',
};

/** A reference server on the SQLite file `file`; `lifecycle` as for Parley (valgrind, flags). */
export function baselineSpec(
  name: Baseline,
  file: string,
  lifecycle: Pick<TargetSpec, 'nodeArgs' | 'wrapper' | 'stopGraceMs'> = {},
): TargetSpec {
  return {
    name,
    entry: path.join(BENCH_DIR, 'src/targets', `${name}.ts`),
    cwd: BENCH_DIR,
    env: { NODE_ENV: 'production', BENCH_DB_FILE: file },
    ...lifecycle,
  };
}

export async function runComparison(settings: Settings, tmp: string): Promise<Comparison> {
  const names = ['parley', ...BASELINES] as const;
  let since = performance.now();
  const seeded = new Map<string, SeededDatabase>();
  for (const name of names) {
    seeded.set(
      name,
      await seedDataDir(path.join(tmp, name), { conversations: settings.conversations }),
    );
  }
  const seedSeconds = secondsSince(since);
  log(
    `seeded 4 databases of ${fmt(settings.conversations)} conversations in ${seedSeconds.toFixed(1)} s`,
  );

  since = performance.now();
  const started = await Promise.all(
    names.map((name) => {
      const db = seeded.get(name);
      if (!db) throw new Error(`no database for ${name}`);
      return start(
        name === 'parley'
          ? parleyUnderLoad(name, path.dirname(db.file), settings)
          : baselineSpec(name, db.file),
      );
    }),
  );
  const targets = new Map(started.map((t) => [t.name, t]));
  log(`started ${names.join(', ')} in ${secondsSince(since).toFixed(1)} s`);
  const idle = new Map(started.map((t) => [t.name, t.memory().rss]));

  const subjects = new Map<string, Subject>();
  for (const name of names) {
    const db = seeded.get(name);
    if (db) subjects.set(name, subjectOf(db));
  }
  const parley = targets.get('parley');
  const parleySubject = subjects.get('parley');
  if (!parley || !parleySubject) throw new Error('no parley');
  parleySubject.cursors = await collectCursors(parley.url, parleySubject, 10);

  const [florent, ...others] = parleyScenarios(parleySubject);
  if (!florent) throw new Error('no scenarios');
  const scenarios = [
    florent,
    ...BASELINES.map((name) => {
      const subject = subjects.get(name);
      if (!subject) throw new Error(`no subject for ${name}`);
      return florentRename(name, subject);
    }),
    ...others,
  ];
  const figures = await measure(scenarios, targets, subjects, settings);

  const peaks: Comparison['targets'] = {};
  for (const target of started) {
    peaks[target.name] = {
      idleRssMb: round((idle.get(target.name) ?? NaN) / MB, 1),
      peakRssMb: round((await stop(target)) / MB, 1),
      description: DESCRIPTIONS[target.name] ?? '',
    };
  }
  const rename = (target: string) => figures.find((f) => f.id === `rename.florent@${target}`);
  return {
    conversations: settings.conversations,
    connections: settings.connections,
    scenarios: figures,
    targets: peaks,
    ratios: {
      'parley/baseline': pairedRatio(rename('parley'), rename('baseline')),
      'parley/naive': pairedRatio(rename('parley'), rename('naive')),
      'parley/node-http': pairedRatio(rename('parley'), rename('node-http')),
      'baseline/naive': pairedRatio(rename('baseline'), rename('naive')),
    },
    seedSeconds: round(seedSeconds, 1),
  };
}
