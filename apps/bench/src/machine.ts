/**
 * The machine a run shares with whatever else runs on it: waiting for it to be quiet, and what
 * the results record of it (its load before and after, whether other work took CPU from the run).
 */
import os from 'node:os';
import { log } from './progress.ts';
import { round } from './stats.ts';

export const cores = (): number => os.cpus().length;

/** The 1-, 5- and 15-minute load averages as printed: "0.52 0.40 0.31". */
export const formatLoad = (load: readonly number[]): string =>
  load.map((l) => l.toFixed(2)).join(' ');

/** Waits (up to `minutes`) until the 1-minute load average is below half the cores. */
export async function waitForQuiet(minutes: number): Promise<void> {
  const threshold = cores() / 2;
  const deadline = Date.now() + minutes * 60_000;
  while ((os.loadavg()[0] ?? 0) >= threshold && Date.now() < deadline) {
    log(`waiting for a quiet machine: load average ${os.loadavg()[0]?.toFixed(2)} >= ${threshold}`);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
}

/** Above about one runnable process per core besides ours, other work took CPU from the run. */
export function busyDuring(loadBefore: readonly number[], loadAfter: readonly number[]): boolean {
  return Math.max(loadBefore[0] ?? 0, loadAfter[0] ?? 0) > cores();
}

/** The machine as a results file records it. */
export function machineRecord(loadBefore: readonly number[], loadAfter: readonly number[]) {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cores(),
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    loadAverageBefore: loadBefore.map((l) => round(l, 2)),
    loadAverageAfter: loadAfter.map((l) => round(l, 2)),
    busy: busyDuring(loadBefore, loadAfter),
  };
}
