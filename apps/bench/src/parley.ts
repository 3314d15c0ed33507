/**
 * Parley under measurement: the production bundle built from this checkout, started as
 * `pnpm start` starts it (the server's own production environment and node flags, imported here
 * and nowhere else in the bench), with the settings a benchmark adds on top.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS, serverBuild } from '@parley/server/production';
import { REPO_ROOT, type TargetSpec } from './process.ts';
import type { Settings } from './settings.ts';

const SERVER_DIR = path.join(REPO_ROOT, 'apps/server');

/**
 * Builds the production bundle afresh, so that the code measured is the code checked out, and
 * returns its path.
 */
export function buildParley(): string {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: SERVER_DIR, stdio: 'inherit' });
  return serverBuild();
}

export interface ParleyOptions {
  /** Added to the production environment (a benchmark's own settings). */
  env?: Record<string, string>;
  /** Node flags besides the production ones (--cpu-prof, V8 determinism). */
  nodeArgs?: string[];
  wrapper?: TargetSpec['wrapper'];
  stopGraceMs?: TargetSpec['stopGraceMs'];
}

/** The bundle at `entry` on its own data directory, logging warnings and errors only. */
export function parleyTarget(
  name: string,
  entry: string,
  dataDir: string,
  { env = {}, nodeArgs = [], ...lifecycle }: ParleyOptions = {},
): TargetSpec {
  return {
    name,
    entry,
    cwd: SERVER_DIR,
    env: { ...PRODUCTION_ENV, LOG_LEVEL: 'warn', PARLEY_DATA_DIR: dataDir, ...env },
    nodeArgs: [...PRODUCTION_NODE_FLAGS, ...nodeArgs],
    ...lifecycle,
  };
}

/** Requests per minute; a server that had answered 429 would fail the run. */
const RATE_LIMIT_FOR_LOAD = 1_000_000_000;

/** Parley as `pnpm bench` loads it, with CPU profiles if the run asks for them. */
export function parleyUnderLoad(
  name: string,
  dataDir: string,
  settings: Pick<Settings, 'parleyEntry' | 'cpuProf'>,
): TargetSpec {
  return parleyTarget(name, settings.parleyEntry, dataDir, {
    // One key sends all the load: raise the per-key and per-IP limits far above it rather than
    // turning them off (0), so that the limiter's own work stays in the measurement.
    env: {
      PARLEY_RATE_LIMIT_PER_KEY: String(RATE_LIMIT_FOR_LOAD),
      PARLEY_RATE_LIMIT_PER_IP: String(RATE_LIMIT_FOR_LOAD),
    },
    nodeArgs: settings.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProf}`] : [],
  });
}
