/**
 * Where the figures of a run are kept: apps/bench/results/<start time>-<kind>.json, with the
 * commit they were measured on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, REPO_ROOT } from './process.ts';

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
