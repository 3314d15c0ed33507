/** The figures of a run, and how they are shown: the tables, the bar, the ratios. */
import type { OperationPlans, PlanCheck } from './explain.ts';
import { POSTGRES_WORKERS, type PostgresRun } from './postgres.ts';
import { fmt, formatTable, median, ratio, round } from './stats.ts';

export interface ScenarioFigures {
  id: string;
  label: string;
  target: string;
  /** Medians over the measured rounds. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Largest resident memory sampled while this scenario's load ran. */
  peakRssMb: number;
  rounds: { rps: number; p50Ms: number; p99Ms: number; requests: number; seconds: number }[];
}

export interface Comparison {
  conversations: number;
  connections: number;
  scenarios: ScenarioFigures[];
  /** Resident memory once started (before any load) and the peak over the whole run. */
  targets: Record<string, { idleRssMb: number; peakRssMb: number; description: string }>;
  /** Requests/s ratios of the REST rename: the median of the per-round ratios. */
  ratios: Record<string, number>;
  seedSeconds: number;
}

/**
 * a/b as the median of per-round ratios: the two ran back to back in each round, so a machine
 * that gets busier or quieter during the run shifts both sides of each ratio alike.
 */
export function pairedRatio(
  a: ScenarioFigures | undefined,
  b: ScenarioFigures | undefined,
): number {
  if (!a || !b) return NaN;
  return round(median(a.rounds.map((r, i) => ratio(r.rps, b.rounds[i]?.rps ?? NaN))), 3);
}

export interface ScaleRun {
  /** The database Parley ran on (result files from before it was recorded: SQLite). */
  database: 'sqlite' | 'postgresql';
  /** What and where the database server was. */
  server: string;
  small: number;
  large: number;
  largeOwn: number;
  scenarios: ScenarioFigures[];
  /** Per operation: large over small for latency, small over large for throughput. */
  ratios: Record<
    string,
    { rpsSmallOverLarge: number; p50LargeOverSmall: number; p99LargeOverSmall: number }
  >;
  peakRssMb: Record<string, number>;
  /** Seconds to fill each database: seeding on SQLite, copying the seed on PostgreSQL. */
  seedSeconds: Record<string, number>;
  /** The same by step (migrate, rows; on PostgreSQL also indexes, then settle: ANALYZE). */
  seedSteps: Record<string, Record<string, number>>;
  databaseMb: Record<string, number>;
  /** Of which the search indexes (SQLite's FTS5 tables, PostgreSQL's trigram indexes). */
  searchIndexMb: Record<string, number>;
  /** Each table with its indexes. */
  tableMb: Record<string, Record<string, number>>;
  queryPlans: OperationPlans[];
  /** What the plans must show (explain.ts checkPlans), met or not. */
  planChecks: PlanCheck[];
}

export function sizeLabel(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}

const times = (x: number) => `${fmt(x, 2)}x`;

export function comparisonTable(c: Comparison): string {
  const baseline = c.scenarios.find((f) => f.id === 'rename.florent@baseline');
  const naive = c.scenarios.find((f) => f.id === 'rename.florent@naive');
  const rows = c.scenarios.map((f) => {
    const rest = f.id.startsWith('rename.') && f.id !== 'rename.trpc@parley';
    return [
      f.label,
      f.target,
      fmt(f.rps),
      fmt(f.p50Ms, 2),
      fmt(f.p99Ms, 2),
      fmt(f.peakRssMb, 1),
      rest ? times(pairedRatio(f, baseline)) : '—',
      rest ? times(pairedRatio(f, naive)) : '—',
    ];
  });
  return formatTable(
    ['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'RSS MB', 'vs baseline', 'vs naive'],
    rows,
  );
}

export function targetsTable(c: Comparison): string {
  return formatTable(
    ['target', 'idle RSS MB', 'peak RSS MB', 'what it is'],
    Object.entries(c.targets).map(([name, t]) => [
      name,
      fmt(t.idleRssMb, 1),
      fmt(t.peakRssMb, 1),
      t.description,
    ]),
  );
}

/** Parley's scenarios on SQLite (the comparison) beside PostgreSQL with 1 and 2 workers. */
export function postgresTable(c: Comparison, pg: PostgresRun): string {
  const cell = (f: ScenarioFigures | undefined) => (f ? `${fmt(f.rps)} (${fmt(f.p99Ms, 1)})` : '—');
  const sqlite = c.scenarios.filter((f) => f.target === 'parley');
  const rows = sqlite.map((f) => [
    f.label,
    cell(f),
    ...POSTGRES_WORKERS.map((n) => cell(pg.workers[String(n)]?.find((g) => g.id === f.id))),
  ]);
  rows.push([
    'peak RSS MB (the process started)',
    fmt(c.targets.parley?.peakRssMb ?? NaN, 1),
    ...POSTGRES_WORKERS.map((n) => fmt(pg.peakRssMb[String(n)] ?? NaN, 1)),
  ]);
  return formatTable(
    [
      'scenario: req/s (p99 ms)',
      'SQLite, 1 process',
      ...POSTGRES_WORKERS.map((n) => `PostgreSQL, ${n} worker${n > 1 ? 's' : ''}`),
    ],
    rows,
  );
}

export function scaleTable(s: ScaleRun): string {
  const rows = s.scenarios.map((f) => [
    f.label,
    f.target,
    fmt(f.rps),
    fmt(f.p50Ms, 2),
    fmt(f.p99Ms, 2),
  ]);
  const ratioRows = Object.entries(s.ratios).map(([op, r]) => [
    op,
    times(r.rpsSmallOverLarge),
    times(r.p50LargeOverSmall),
    times(r.p99LargeOverSmall),
  ]);
  return [
    formatTable(['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms'], rows),
    '',
    formatTable(
      [
        `${sizeLabel(s.large)} vs ${sizeLabel(s.small)}`,
        'time per request (req/s ratio)',
        'p50 ratio',
        'p99 ratio',
      ],
      ratioRows,
    ),
  ].join('\n');
}

export const databaseName = (database: ScaleRun['database']): string =>
  database === 'postgresql' ? 'PostgreSQL' : 'SQLite';

/**
 * The scale runs side by side, one group of columns per database: each operation's req/s (p99
 * ms) at both sizes and its time per request at the large size over the small one; then the
 * databases' sizes, the time to fill them and the plan checks met.
 */
export function scaleDatabasesTable(runs: readonly ScaleRun[]): string {
  const small = (s: ScaleRun) => sizeLabel(s.small);
  const large = (s: ScaleRun) => sizeLabel(s.large);
  const labelOf = (s: ScaleRun, size: string) =>
    Object.keys(s.databaseMb).find((label) => label.endsWith(`@${size}`)) ?? '';
  const cell = (f: ScenarioFigures | undefined) => (f ? `${fmt(f.rps)} (${fmt(f.p99Ms, 1)})` : '—');
  const operations = new Map<string, string>();
  for (const run of runs) {
    for (const f of run.scenarios) operations.set(f.id.split('@')[0] ?? f.id, f.label);
  }
  const rows = [...operations].map(([op, label]) => [
    label,
    ...runs.flatMap((run) => {
      const at = (size: string) =>
        run.scenarios.find((f) => f.id === `${op}@${labelOf(run, size)}`);
      const r = run.ratios[op];
      return [cell(at(small(run))), cell(at(large(run))), r ? times(r.rpsSmallOverLarge) : '—'];
    }),
  ]);
  const perSize = (name: string, value: (run: ScaleRun, label: string) => string) => [
    name,
    ...runs.flatMap((run) => [
      value(run, labelOf(run, small(run))),
      value(run, labelOf(run, large(run))),
      '',
    ]),
  ];
  rows.push(
    perSize('database MB (search indexes MB)', (run, label) =>
      label
        ? `${fmt(run.databaseMb[label] ?? NaN, 1)} (${fmt(run.searchIndexMb[label] ?? NaN, 1)})`
        : '—',
    ),
    perSize('filled in s', (run, label) => (label ? fmt(run.seedSeconds[label] ?? NaN, 1) : '—')),
    [
      'plan checks met',
      ...runs.flatMap((run) => [
        '',
        `${run.planChecks.filter((c) => c.ok).length} of ${run.planChecks.length}`,
        '',
      ]),
    ],
  );
  return formatTable(
    [
      'req/s (p99 ms)',
      ...runs.flatMap((run) => {
        const name = databaseName(run.database);
        return [
          `${name} ${small(run)}`,
          `${name} ${large(run)}`,
          `${large(run)}/${small(run)} time`,
        ];
      }),
    ],
    rows,
  );
}

/**
 * The project's bars, each line saying met or not: REST rename (Florent) at least 0.5x the
 * Express + better-sqlite3 baseline and at least 2x the naive Express + Prisma server, its p99 at
 * most 2.5x the baseline's p99 in the same run, the tRPC rename at least 0.8x the REST rename,
 * and Parley's peak RSS under 200 MB.
 */
export function bar(c: Comparison, scale: ScaleRun | undefined): string[] {
  const parley = c.scenarios.find((f) => f.id === 'rename.florent@parley');
  const baseline = c.scenarios.find((f) => f.id === 'rename.florent@baseline');
  const trpc = c.scenarios.find((f) => f.id === 'rename.trpc@parley');
  const p99Ratio = ratio(parley?.p99Ms ?? NaN, baseline?.p99Ms ?? NaN);
  const trpcRatio = pairedRatio(trpc, parley);
  const mark = (ok: boolean) => (ok ? 'met:    ' : 'NOT met:');
  const lines = [
    `${mark(c.ratios['parley/baseline'] !== undefined && c.ratios['parley/baseline'] >= 0.5)} REST rename >= 0.50x the Express + better-sqlite3 baseline: ${times(c.ratios['parley/baseline'] ?? NaN)}`,
    `${mark(c.ratios['parley/naive'] !== undefined && c.ratios['parley/naive'] >= 2)} REST rename >= 2x the naive Express + Prisma: ${times(c.ratios['parley/naive'] ?? NaN)}`,
    `${mark(p99Ratio <= 2.5)} REST rename p99 <= 2.5x the baseline's p99 at ${c.connections} connections: ${fmt(parley?.p99Ms ?? NaN, 2)} ms against ${fmt(baseline?.p99Ms ?? NaN, 2)} ms (${times(p99Ratio)})`,
    `${mark(trpcRatio >= 0.8)} tRPC rename >= 0.80x the REST rename: ${times(trpcRatio)}`,
    `${mark((c.targets.parley?.peakRssMb ?? Infinity) < 200)} Parley peak RSS < 200 MB: ${fmt(c.targets.parley?.peakRssMb ?? NaN, 1)} MB`,
  ];
  if (scale) {
    for (const [op, r] of Object.entries(scale.ratios)) {
      // Search is measured, not held to the bar: at 1M a query finds other users' rows too
      // (the index is global), so it does more work by design.
      if (op === 'search.trpc') continue;
      const worst = Math.max(r.rpsSmallOverLarge, r.p50LargeOverSmall);
      lines.push(
        `${mark(worst <= 1.2)} ${op} at ${sizeLabel(scale.large)} within 1.2x of ${sizeLabel(scale.small)}: ` +
          `time ${times(r.rpsSmallOverLarge)}, p50 ${times(r.p50LargeOverSmall)}`,
      );
    }
  }
  return lines;
}
