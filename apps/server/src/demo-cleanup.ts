/**
 * Demo visitors are kept for PARLEY_DEMO_TTL_HOURS (24 by default), then deleted with their
 * conversations, so an open demo does not fill the database. Checked at start-up and then at
 * least every hour (more often for a short TTL, so nobody outlives it by much).
 */
import { deleteExpiredDemoVisitors } from '@parley/api';
import type { Db } from '@parley/db';
import type { Logger } from 'pino';

const HOUR_MS = 3_600_000;

/** Starts the clean-up; the returned function stops it (at shutdown). */
export function startDemoCleanup(db: Db, ttlMs: number, logger: Logger): () => void {
  const sweep = () => {
    deleteExpiredDemoVisitors(db, new Date(Date.now() - ttlMs)).then(
      (count) => {
        if (count > 0) logger.info({ count, ttlMs }, 'expired demo visitors deleted');
      },
      (error: unknown) => logger.warn({ err: error }, 'demo clean-up failed; retried later'),
    );
  };
  sweep();
  const timer = setInterval(sweep, Math.max(1_000, Math.min(HOUR_MS, ttlMs / 4))).unref();
  return () => clearInterval(timer);
}
