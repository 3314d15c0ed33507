/**
 * `pnpm bench`: Parley's production server against three baselines in one run, then (with
 * --scale) Parley at 1,000 and at 1,000,000 stored conversations. Progress goes to stderr; the
 * tables and, last, the one-line summary go to stdout; the same figures are written to
 * apps/bench/results/<timestamp>-<mode>.json. See the README's "Benchmarks" section.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS } from '@parley/server/production';
import { buildParley, gitCommit, saveResults } from './checkout.ts';
import { explainHotQueries } from './explain.ts';
import { runFailure, runLoad, type LoadResult } from './load.ts';
import { BENCH_DIR, REPO_ROOT, startTarget, type Target } from './process.ts';
import {
  checkOnce,
  collectCursors,
  florentRename,
  getScenario,
  headersFor,
  listScenario,
  parleyScenarios,
  subjectOf,
  type Scenario,
  type Subject,
} from './scenarios.ts';
import {
  bar,
  comparisonTable,
  pairedRatio,
  scaleTable,
  sizeLabel,
  targetsTable,
  type Comparison,
  type ScaleRun,
  type ScenarioFigures,
} from './report.ts';
import { seedDatabase, type SeededDatabase } from './seed.ts';
import { fmt, formatLastLine, MB, median, ratio, round, type LastLine } from './stats.ts';

const USAGE = `Usage: pnpm bench [--quick] [--scale] [options]
  --quick              short runs (the comparison finishes in under a minute)
  --scale              also measure Parley at 1,000 and at --large stored conversations
  --connections <n>    concurrent connections (default 32)
  --seconds <n>        length of one measured round (default 8; quick 1)
  --rounds <n>         measured rounds per scenario; the median is reported (default 3; quick 2)
  --warmup <n>         seconds of warm-up load per scenario before the rounds (default 3; quick 1)
  --conversations <n>  conversations seeded for the comparison (default 1000)
  --large <n>          conversations in the scale run's large database (default 1000000)
  --wait-idle <min>    first wait up to <min> minutes for the machine's 1-minute load average to
                       fall below half its cores (other work skews the figures)
  --cpu-prof <dir>     run Parley's servers with node --cpu-prof, writing profiles to <dir>
  --no-save            do not write apps/bench/results/*.json`;

interface Settings {
  mode: 'full' | 'quick';
  scale: boolean;
  connections: number;
  seconds: number;
  rounds: number;
  warmup: number;
  conversations: number;
  large: number;
  /** How many of the large database's conversations the benchmarked user owns. */
  largeOwn: number;
  save: boolean;
  /** Directory for CPU profiles of Parley's servers, if asked for. */
  cpuProf: string | undefined;
  /** Minutes to wait for a quiet machine before starting (0: start at once). */
  waitIdle: number;
  /** Parley's production bundle, built at the start of the run. */
  parleyEntry: string;
}

/** Everything the command line decides (the bundle is built once the options are known). */
function settingsFrom(argv: string[]): Omit<Settings, 'parleyEntry'> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      scale: { type: 'boolean' },
      connections: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      conversations: { type: 'string' },
      large: { type: 'string' },
      'no-save': { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      'wait-idle': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const number = (value: string | undefined, fallback: number, min: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`bad value "${value}"\n${USAGE}`);
    return n;
  };
  const large = Math.round(number(values.large, 1_000_000, 1_000));
  return {
    mode: quick ? 'quick' : 'full',
    scale: values.scale ?? false,
    connections: Math.round(number(values.connections, 32, 1)),
    seconds: number(values.seconds, quick ? 1 : 8, 0.5),
    rounds: Math.round(number(values.rounds, quick ? 2 : 3, 1)),
    warmup: number(values.warmup, quick ? 1 : 3, 0),
    conversations: Math.round(number(values.conversations, 1_000, 20)),
    large,
    // Most rows are other users'; the benchmarked user owns 1% of them (10,000 at 1M).
    largeOwn: Math.max(1_000, Math.round(large / 100)),
    save: !(values['no-save'] ?? false),
    cpuProf: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    waitIdle: number(values['wait-idle'], 0, 0),
  };
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const seconds = (since: number) => (performance.now() - since) / 1000;

// Every target started, so that any failure or Ctrl-C stops them all.
const running = new Set<Target>();
// The run's temporary directory (databases of up to several hundred MB): removed on every exit.
let scratch: string | undefined;

function removeScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

async function start(spec: Parameters<typeof startTarget>[0]): Promise<Target> {
  const target = await startTarget(spec);
  running.add(target);
  return target;
}

async function stop(target: Target): Promise<number> {
  let peak = NaN;
  try {
    peak = target.memory().peak;
  } catch {
    // already gone
  }
  running.delete(target);
  await target.stop();
  return peak;
}

/** The environment of every target: no stray database or Parley setting from the caller's. */
function cleanEnv(): void {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('PARLEY_') || name === 'DATABASE_URL' || name === 'LOG_LEVEL') {
      delete process.env[name];
    }
  }
}

/** Requests per minute; a server that had answered 429 would fail the run. */
const RATE_LIMIT_FOR_LOAD = 1_000_000_000;

function parleySpec(name: string, dataDir: string, settings: Settings) {
  return {
    name,
    entry: settings.parleyEntry,
    cwd: path.join(REPO_ROOT, 'apps/server'),
    env: {
      ...PRODUCTION_ENV,
      LOG_LEVEL: 'warn',
      PARLEY_DATA_DIR: dataDir,
      // One key sends all the load: raise the per-key and per-IP limits far above it rather than
      // turning them off (0), so that the limiter's own work stays in the measurement.
      PARLEY_RATE_LIMIT_PER_KEY: String(RATE_LIMIT_FOR_LOAD),
      PARLEY_RATE_LIMIT_PER_IP: String(RATE_LIMIT_FOR_LOAD),
    },
    nodeArgs: [
      ...PRODUCTION_NODE_FLAGS,
      ...(settings.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProf}`] : []),
    ],
  };
}

function baselineSpec(name: 'baseline' | 'naive' | 'node-http', file: string) {
  return {
    name,
    entry: path.join(BENCH_DIR, 'src/targets', `${name}.ts`),
    cwd: BENCH_DIR,
    env: { NODE_ENV: 'production', BENCH_DB_FILE: file },
  };
}

async function seed(
  dir: string,
  options: Parameters<typeof seedDatabase>[1],
): Promise<SeededDatabase> {
  mkdirSync(dir, { recursive: true });
  return seedDatabase(path.join(dir, 'parley.db'), options);
}

/** Checks one answer of each scenario, warms each up, then runs the rounds in turn. */
async function measure(
  scenarios: Scenario[],
  targets: Map<string, Target>,
  subjects: Map<string, Subject>,
  settings: Settings,
): Promise<ScenarioFigures[]> {
  const targetOf = (s: Scenario) => {
    const target = targets.get(s.target);
    const subject = subjects.get(s.target);
    if (!target || !subject) throw new Error(`no target ${s.target}`);
    return { target, subject };
  };
  const load = async (s: Scenario, loadSeconds: number, what: string): Promise<LoadResult> => {
    const { target, subject } = targetOf(s);
    const result = await runLoad({
      url: target.url,
      connections: settings.connections,
      seconds: loadSeconds,
      headers: headersFor(subject, s),
      next: () => s.next(),
      pid: target.pid,
    });
    const failure = runFailure(result);
    if (failure) throw new Error(`${s.id} (${what}): ${failure}`);
    return result;
  };

  for (const s of scenarios) {
    const { target, subject } = targetOf(s);
    const problem = await checkOnce(target.url, s, subject);
    if (problem) throw new Error(`wrong answer before any load: ${problem}`);
  }
  if (settings.warmup > 0) {
    for (const s of scenarios) await load(s, settings.warmup, 'warm-up');
  }
  const results = new Map<string, LoadResult[]>(scenarios.map((s) => [s.id, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const s of scenarios) {
      const result = await load(s, settings.seconds, `round ${round}`);
      results.get(s.id)?.push(result);
      log(
        `  round ${round}/${settings.rounds}  ${s.id.padEnd(26)} ${fmt(result.rps).padStart(7)} req/s` +
          `  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms`,
      );
    }
  }
  return scenarios.map((s) => {
    const rounds = results.get(s.id) ?? [];
    return {
      id: s.id,
      label: s.label,
      target: s.target,
      rps: round(median(rounds.map((r) => r.rps)), 1),
      p50Ms: round(median(rounds.map((r) => r.p50)), 3),
      p99Ms: round(median(rounds.map((r) => r.p99)), 3),
      peakRssMb: round(Math.max(...rounds.map((r) => r.peakRss)) / MB, 1),
      rounds: rounds.map((r) => ({
        rps: round(r.rps, 1),
        p50Ms: round(r.p50, 3),
        p99Ms: round(r.p99, 3),
        requests: r.requests,
        seconds: r.seconds,
      })),
    };
  });
}

const DESCRIPTIONS: Record<string, string> = {
  parley:
    'Parley as `pnpm start` runs it (apps/server/dist/main.mjs, its memory limits, NODE_ENV=production, LOG_LEVEL=warn)',
  baseline: 'Express 5 + better-sqlite3 prepared UPDATE … RETURNING (same auth, validation, shape)',
  naive: 'Express 5 + Prisma 7, the obvious rename: findUnique key, findFirst conversation, update',
  'node-http': 'Node http + better-sqlite3, same statements and rules, no framework (reference)',
};

async function runComparison(settings: Settings, tmp: string): Promise<Comparison> {
  const names = ['parley', 'baseline', 'naive', 'node-http'] as const;
  let since = performance.now();
  const seeded = new Map<string, SeededDatabase>();
  for (const name of names) {
    seeded.set(name, await seed(path.join(tmp, name), { conversations: settings.conversations }));
  }
  const seedSeconds = seconds(since);
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
          ? parleySpec(name, path.dirname(db.file), settings)
          : baselineSpec(name, db.file),
      );
    }),
  );
  const targets = new Map(started.map((t) => [t.name, t]));
  log(`started ${names.join(', ')} in ${seconds(since).toFixed(1)} s`);
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
    ...(['baseline', 'naive', 'node-http'] as const).map((name) => {
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

async function runScale(settings: Settings, tmp: string): Promise<ScaleRun> {
  const sizes = [
    { conversations: 1_000, own: 1_000 },
    { conversations: settings.large, own: settings.largeOwn },
  ];
  const seeded: SeededDatabase[] = [];
  const seedSeconds: Record<string, number> = {};
  const databaseMb: Record<string, number> = {};
  for (const size of sizes) {
    const since = performance.now();
    const db = await seed(path.join(tmp, `scale-${sizeLabel(size.conversations)}`), size);
    seeded.push(db);
    const label = `parley@${sizeLabel(size.conversations)}`;
    seedSeconds[label] = round(seconds(since), 1);
    databaseMb[label] = round(fileSize(db.file) / MB, 1);
    log(
      `seeded ${fmt(size.conversations)} conversations (${fmt(size.own)} the user's) in ` +
        `${seconds(since).toFixed(1)} s: ${databaseMb[label]} MB`,
    );
  }
  const labels = seeded.map((db) => `parley@${sizeLabel(db.total)}`);
  const started = await Promise.all(
    seeded.map((db, i) => start(parleySpec(labels[i] ?? '', path.dirname(db.file), settings))),
  );
  const targets = new Map(started.map((t) => [t.name, t]));
  const subjects = new Map<string, Subject>();
  for (const [i, db] of seeded.entries()) {
    const target = started[i];
    const label = labels[i];
    if (!target || !label) continue;
    const subject = subjectOf(db);
    subject.cursors = await collectCursors(target.url, subject, 100);
    subjects.set(label, subject);
  }
  const scenarios: Scenario[] = [];
  for (const make of [florentRename, getScenario, listScenario]) {
    for (const label of labels) {
      const subject = subjects.get(label);
      if (subject) scenarios.push(make(label, subject));
    }
  }
  const figures = await measure(scenarios, targets, subjects, settings);
  const peakRssMb: Record<string, number> = {};
  for (const target of started) peakRssMb[target.name] = round((await stop(target)) / MB, 1);

  const [smallLabel, largeLabel] = labels;
  const ratios: ScaleRun['ratios'] = {};
  for (const op of ['rename.florent', 'get.trpc', 'list.trpc']) {
    const small = figures.find((f) => f.id === `${op}@${smallLabel}`);
    const big = figures.find((f) => f.id === `${op}@${largeLabel}`);
    if (!small || !big) continue;
    ratios[op] = {
      rpsSmallOverLarge: round(ratio(small.rps, big.rps), 3),
      p50LargeOverSmall: round(ratio(big.p50Ms, small.p50Ms), 3),
      p99LargeOverSmall: round(ratio(big.p99Ms, small.p99Ms), 3),
    };
  }

  const largeDb = seeded[1];
  const largeSubject = largeLabel ? subjects.get(largeLabel) : undefined;
  if (!largeDb || !largeSubject) throw new Error('no large database');
  const cursors = largeSubject.cursors ?? [];
  const queryPlans = await explainHotQueries(largeDb.file, {
    key: largeDb.key,
    id: largeDb.ownIds[Math.floor(largeDb.ownIds.length / 2)] ?? '',
    cursor: cursors[Math.floor(cursors.length / 2)] || (cursors.at(-1) ?? ''),
  });
  return {
    small: sizes[0]?.conversations ?? 0,
    large: settings.large,
    largeOwn: settings.largeOwn,
    scenarios: figures,
    ratios,
    peakRssMb,
    seedSeconds,
    databaseMb,
    queryPlans,
  };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return NaN;
  }
}

/** Waits (up to `minutes`) until the 1-minute load average is below half the cores. */
async function waitForQuiet(minutes: number): Promise<void> {
  const threshold = os.cpus().length / 2;
  const deadline = Date.now() + minutes * 60_000;
  while ((os.loadavg()[0] ?? 0) >= threshold && Date.now() < deadline) {
    log(`waiting for a quiet machine: load average ${os.loadavg()[0]?.toFixed(2)} >= ${threshold}`);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
}

async function main(): Promise<void> {
  const options = settingsFrom(process.argv.slice(2));
  cleanEnv();
  const settings: Settings = { ...options, parleyEntry: buildParley() };
  if (settings.waitIdle > 0) await waitForQuiet(settings.waitIdle);
  const startedAt = new Date();
  const since = performance.now();
  // The code measured is the code at the start (a commit made during the run changes nothing).
  const commit = gitCommit();
  const loadBefore = os.loadavg();
  log(
    `bench (${settings.mode}${settings.scale ? ', scale' : ''}): ${settings.connections} connections, ` +
      `${settings.warmup} s warm-up, ${settings.rounds} x ${settings.seconds} s rounds per scenario; ` +
      `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`,
  );
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  scratch = tmp;
  let comparison: Comparison;
  let scale: ScaleRun | undefined;
  try {
    comparison = await runComparison(settings, tmp);
    const comparisonSeconds = seconds(since);
    log(`comparison done in ${comparisonSeconds.toFixed(1)} s`);
    if (settings.scale) scale = await runScale(settings, tmp);
  } finally {
    await Promise.all([...running].map((t) => stop(t)));
    removeScratch();
  }
  const durationSeconds = round(seconds(since), 1);
  const loadAfter = os.loadavg();
  // Above about one runnable process per core besides ours, other work took CPU from the run.
  const busy = Math.max(loadBefore[0] ?? 0, loadAfter[0] ?? 0) > os.cpus().length;

  const parley = comparison.scenarios.find((f) => f.id === 'rename.florent@parley');
  const last: LastLine = {
    parleyOverBaseline: comparison.ratios['parley/baseline'] ?? NaN,
    parleyOverNaive: comparison.ratios['parley/naive'] ?? NaN,
    p99Ms: parley?.p99Ms ?? NaN,
    rssMb: comparison.targets.parley?.peakRssMb ?? NaN,
  };
  const lastLine = formatLastLine(last);
  const barLines = bar(comparison, scale);

  const out: string[] = [];
  out.push(
    '',
    `## Comparison (${fmt(comparison.conversations)} conversations, ${settings.connections} connections, medians of ${settings.rounds} x ${settings.seconds} s)`,
    '',
  );
  out.push(comparisonTable(comparison), '', targetsTable(comparison), '');
  if (scale) {
    out.push(
      `## Scale (Parley, ${fmt(scale.small)} vs ${fmt(scale.large)} conversations; the user owns ${fmt(scale.largeOwn)} of the latter)`,
      '',
    );
    out.push(
      scaleTable(scale),
      '',
      `### Query plans at ${fmt(scale.large)} conversations (SQL as Prisma sent it)`,
      '',
    );
    for (const op of scale.queryPlans) {
      out.push(`${op.operation}:`);
      for (const s of op.statements) {
        out.push(`  ${s.sql.replace(/\s+/g, ' ')}`);
        for (const step of s.plan) out.push(`    ${step}`);
      }
      out.push('');
    }
  }
  out.push('## The bar (DESIGN.md, issue 5)', '', ...barLines, '');
  out.push(
    `Run took ${durationSeconds} s; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ` +
      `${loadAfter.map((l) => l.toFixed(2)).join(' ')} after on ${os.cpus().length} cores ` +
      '(the load generator and the server under test share them).',
  );
  if (busy) {
    out.push(
      'The machine was busy with other work during this run: take these figures as provisional.',
    );
  }

  let saved: string | undefined;
  if (settings.save) {
    const report = {
      version: 1,
      startedAt: startedAt.toISOString(),
      durationSeconds,
      mode: settings.mode,
      settings,
      machine: {
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? null,
        memoryGb: round(os.totalmem() / 1024 ** 3, 1),
        loadAverageBefore: loadBefore.map((l) => round(l, 2)),
        loadAverageAfter: loadAfter.map((l) => round(l, 2)),
        busy,
      },
      commit,
      comparison,
      scale: scale ?? null,
      bar: barLines,
      lastLine,
    };
    saved = saveResults(startedAt, `${settings.mode}${settings.scale ? '-scale' : ''}`, report);
    out.push(`Saved ${path.relative(REPO_ROOT, saved)}`);
  }
  console.log(out.join('\n'));
  console.log(lastLine);
}

const interrupt = () => {
  void Promise.all([...running].map((t) => t.stop())).finally(() => {
    removeScratch();
    process.exit(130);
  });
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

main().catch(async (error: unknown) => {
  await Promise.all([...running].map((t) => t.stop()));
  console.error(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
});
