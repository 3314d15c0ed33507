/**
 * `pnpm bench`: Parley's production server against three baselines in one run, then (with
 * --postgres) Parley's scenarios on PostgreSQL, and (with --scale) Parley at 1,000 and at
 * 1,000,000 stored conversations, on SQLite and with --postgres on PostgreSQL too. Progress goes to stderr; the
 * tables and, last, the one-line summary go to stdout; the same figures are written to
 * apps/bench/results/<timestamp>-<mode>.json. See the README's "Benchmarks" section.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runComparison } from './comparison.ts';
import { cleanEnv, makeScratch, releaseAll, releaseOnSignals } from './lifecycle.ts';
import { cores, formatLoad, waitForQuiet } from './machine.ts';
import { buildParley } from './parley.ts';
import { runPostgres, type PostgresRun } from './postgres.ts';
import { REPO_ROOT } from './process.ts';
import { log, secondsSince } from './progress.ts';
import { bar, type Comparison, type ScaleRun } from './report.ts';
import { gitCommit, saveRun } from './results.ts';
import { runScale } from './scale.ts';
import { settingsFrom, type Settings } from './settings.ts';
import { round } from './stats.ts';
import { lastLineOf, summaryLines } from './summary.ts';

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
    `bench (${[settings.mode, settings.scale && 'scale', settings.postgres && 'postgres'].filter(Boolean).join(', ')}): ${settings.connections} connections, ` +
      `${settings.warmup} s warm-up, ${settings.rounds} x ${settings.seconds} s rounds per scenario; ` +
      `load average ${formatLoad(loadBefore)} on ${cores()} cores`,
  );
  const tmp = makeScratch();
  let comparison: Comparison;
  let scale: ScaleRun | undefined;
  let postgresScale: ScaleRun | undefined;
  let postgres: PostgresRun | undefined;
  try {
    comparison = await runComparison(settings, tmp);
    log(`comparison done in ${secondsSince(since).toFixed(1)} s`);
    if (settings.postgres) postgres = await runPostgres(settings, tmp);
    if (settings.scale) {
      const runs = await runScale(
        settings,
        tmp,
        settings.postgres ? ['sqlite', 'postgresql'] : ['sqlite'],
      );
      scale = runs.find((r) => r.database === 'sqlite');
      postgresScale = runs.find((r) => r.database === 'postgresql');
    }
  } finally {
    await releaseAll();
  }
  const run = {
    settings,
    startedAt,
    durationSeconds: round(secondsSince(since), 1),
    commit,
    loadBefore,
    loadAfter: os.loadavg(),
    comparison,
    scale,
    postgresScale,
    postgres,
    bar: bar(comparison, scale),
    lastLine: lastLineOf(comparison),
  };
  const out = summaryLines(run);
  if (settings.save) out.push(`Saved ${path.relative(REPO_ROOT, saveRun(run))}`);
  console.log(out.join('\n'));
  console.log(run.lastLine);
}

releaseOnSignals();
main().catch(async (error: unknown) => {
  await releaseAll();
  console.error(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
});
