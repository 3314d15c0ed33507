/**
 * The code under measurement: Parley's production bundle built from this checkout, its commit, and
 * where the figures measured on it are kept.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serverBuild } from '@parley/server/production';
import { BENCH_DIR, REPO_ROOT } from './process.ts';

/**
 * Parley as `pnpm start` runs it: the production bundle, built afresh at the start of every run so
 * that the code measured is the code checked out. Returns the bundle's path.
 */
export function buildParley(): string {
  execFileSync(process.execPath, ['scripts/build.mjs'], {
    cwd: path.join(REPO_ROOT, 'apps/server'),
    stdio: 'inherit',
  });
  return serverBuild();
}

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
