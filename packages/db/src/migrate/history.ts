// The applied-migrations record (`_prisma_migrations`) read straight from SQLite, read-only.
// The engine has no call that lists it, and the cheap questions ("what is applied?", "is
// anything left to do?") need no engine.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from '../client.ts';

export interface MigrationRow {
  migration_name: string;
  checksum: string;
  /** Null while running, and forever after a failure (until rolled back by hand). */
  finished_at: string | number | null;
  rolled_back_at: string | number | null;
}

/** The rows of `_prisma_migrations` in the order they ran; empty when there is no table. */
export function readMigrationsTable(file: string): MigrationRow[] {
  const sqlite = new Database(file, {
    readonly: true,
    fileMustExist: true,
    timeout: BUSY_TIMEOUT_MS,
  });
  try {
    const table = sqlite
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
      .get();
    if (table === undefined) return [];
    return sqlite
      .prepare(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ' +
          'ORDER BY started_at, migration_name',
      )
      .all() as MigrationRow[];
  } finally {
    sqlite.close();
  }
}

/**
 * True when `_prisma_migrations` records every named migration as finished and none as
 * failed, so applyMigrations would do nothing. Deploy runs at every start; in that usual
 * case this one read spares it the wasm engine, the migration lock and any write. Any doubt
 * (no file, no table, unreadable) answers false and leaves the decision to the engine.
 */
export function allApplied(file: string, names: readonly string[]): boolean {
  if (!existsSync(file)) return false;
  let rows: MigrationRow[];
  try {
    rows = readMigrationsTable(file);
  } catch {
    return false;
  }
  const live = rows.filter((row) => row.rolled_back_at === null);
  // A failed migration blocks deploy (P3009); the engine says so better than we would.
  if (live.some((row) => row.finished_at === null)) return false;
  const finished = new Set(live.map((row) => row.migration_name));
  return names.every((name) => finished.has(name));
}
