/**
 * Where the figures of a run are kept: apps/bench/results/<start time>-<kind>.json, with the
 * commit and the machine they were measured on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { machineRecord } from './machine.ts';
import { BENCH_DIR, REPO_ROOT } from './process.ts';
import type { PostgresRun } from './postgres.ts';
import type { Comparison, ScaleRun } from './report.ts';
import type { Settings } from './settings.ts';

/** The checked-out commit, `+dirty` when apps/ or packages/ have changes not committed. */
export function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    // Results written by earlier runs are not changes to the code measured.
    const paths = ['apps', 'packages', ':!apps/bench/results'];
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...paths], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

/** Writes a run's figures to apps/bench/results/<start time>-<kind>.json; returns the path. */
export function saveResults(startedAt: Date, kind: string, report: object): string {
  const dir = path.join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const file = path.join(dir, `${stamp}-${kind}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** One run of `pnpm bench`: what it prints and what it saves. */
export interface BenchRun {
  settings: Settings;
  startedAt: Date;
  durationSeconds: number;
  /** The commit measured, read before the run. */
  commit: string | null;
  /** The machine's load averages before and after the run. */
  loadBefore: number[];
  loadAfter: number[];
  comparison: Comparison;
  /** The scale run on SQLite, and with --postgres on PostgreSQL. */
  scale: ScaleRun | undefined;
  postgresScale: ScaleRun | undefined;
  postgres: PostgresRun | undefined;
  /** The bar's lines, met or not. */
  bar: string[];
  lastLine: string;
}

/** Saves a run as <start time>-<mode>[-scale].json; returns the path. */
export function saveRun(run: BenchRun): string {
  const { settings } = run;
  const kind = [settings.mode, settings.scale && 'scale', settings.postgres && 'postgres'];
  return saveResults(run.startedAt, kind.filter(Boolean).join('-'), {
    version: 1,
    startedAt: run.startedAt.toISOString(),
    durationSeconds: run.durationSeconds,
    mode: settings.mode,
    settings,
    machine: machineRecord(run.loadBefore, run.loadAfter),
    commit: run.commit,
    comparison: run.comparison,
    scale: run.scale ?? null,
    postgres: run.postgres ?? null,
    postgresScale: run.postgresScale ?? null,
    bar: run.bar,
    lastLine: run.lastLine,
  });
}
