/**
 * What a run starts that must not outlive it: the target processes and the scratch directory
 * (databases of up to several hundred MB). Both go when the run ends, fails or is interrupted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTarget, type Target, type TargetSpec } from './process.ts';

const running = new Set<Target>();
let scratch: string | undefined;

/** The environment every target inherits: no stray database or Parley setting from the caller's. */
export function cleanEnv(): void {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('PARLEY_') || name === 'DATABASE_URL' || name === 'LOG_LEVEL') {
      delete process.env[name];
    }
  }
}

/** The run's temporary directory, removed by releaseAll. */
export function makeScratch(): string {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  return scratch;
}

export async function start(spec: TargetSpec): Promise<Target> {
  const target = await startTarget(spec);
  running.add(target);
  return target;
}

/** Stops a target; resolves with its peak resident memory in bytes (NaN if it was gone). */
export async function stop(target: Target): Promise<number> {
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

/** Stops every target still running and removes the scratch directory. */
export async function releaseAll(): Promise<void> {
  await Promise.all([...running].map((target) => stop(target)));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** On Ctrl-C or SIGTERM: release everything, then exit with 130. */
export function releaseOnSignals(): void {
  const interrupt = () => {
    void releaseAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
}
