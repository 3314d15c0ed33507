/**
 * Progress of a run, on stderr: stdout carries only the tables and, last, the one-line summary
 * that tools read.
 */
import { performance } from 'node:perf_hooks';

export const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** Seconds elapsed since a `performance.now()` reading. */
export const secondsSince = (since: number): number => (performance.now() - since) / 1000;
