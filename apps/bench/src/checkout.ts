/** The code under measurement: Parley's production bundle built from this checkout, and its commit. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serverBuild } from '@parley/server/testing';
import { REPO_ROOT } from './process.ts';

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
