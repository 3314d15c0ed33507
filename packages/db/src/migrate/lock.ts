// A cross-process lock around applying migrations to one database file. Without it, two
// processes deploying at once could both see a migration as pending and both run it; the
// loser's "table already exists" would be recorded as a failed migration and block every
// later deploy (P3009). The engine's own SQLite lock is disabled (see engine.ts) because it
// cannot coexist with other open connections, so this takes its place.
//
// The lock is an exclusive transaction on a small sidecar SQLite file: SQLite's file locks
// are released by the operating system when a process dies, so a crash never leaves a stale
// lock behind, and waiting is SQLite's busy timeout. The sidecar is never deleted: deleting
// it while another process waits on it would let a third process lock a new file.
import Database from 'better-sqlite3';
import { MigrationError } from './errors.ts';

/** How long a deploy waits for another process's deploy on the same file to finish. */
export const MIGRATION_LOCK_TIMEOUT_MS = 60_000;

/** The sidecar lock file for a database file. */
export function migrationLockPath(file: string): string {
  return `${file}-migrate-lock`;
}

/**
 * Runs `fn` while holding the migration lock for `file`. Waiting blocks the thread (SQLite
 * waits synchronously), so callers in one process must queue among themselves first.
 */
export async function withMigrationLock<T>(
  file: string,
  fn: () => Promise<T>,
  timeoutMs = MIGRATION_LOCK_TIMEOUT_MS,
): Promise<T> {
  const lockPath = migrationLockPath(file);
  const lock = new Database(lockPath, { timeout: timeoutMs });
  try {
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
    throw new MigrationError(
      busy
        ? `Another process has been migrating ${file} for over ${timeoutMs / 1000} s ` +
            `(lock file ${lockPath})`
        : `Cannot take the migration lock ${lockPath}: ${String(error)}`,
      undefined,
      { cause: error },
    );
  }
  try {
    return await fn();
  } finally {
    lock.close(); // closing ends the transaction and releases the lock
  }
}
