import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import { PrismaClient } from './generated/prisma/client.ts';

export type Db = PrismaClient;

/** How long a writer waits for SQLite's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/** Where the embedded database lives: `<dataDir>/parley.db`, or an explicit `file:` URL. */
export type DatabaseLocation = { dataDir: string } | { url: string };

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * The database the environment names: DATABASE_URL (a file: URL) or <PARLEY_DATA_DIR>/parley.db,
 * by default <repo>/data. Scripts run from their package directory, so a relative path typed by
 * a person means the directory they typed it in, which pnpm and npm pass as INIT_CWD.
 */
export function databaseLocationFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseLocation {
  const callerDir = env.INIT_CWD ?? process.cwd();
  const url = env.DATABASE_URL?.trim();
  if (url) {
    const raw = url.startsWith('file:') ? url.slice('file:'.length) : undefined;
    if (raw !== undefined && !raw.startsWith('//') && !path.isAbsolute(raw)) {
      return { url: `file:${path.resolve(callerDir, raw)}` };
    }
    return { url };
  }
  const dataDir = env.PARLEY_DATA_DIR?.trim();
  return { dataDir: dataDir ? path.resolve(callerDir, dataDir) : path.join(REPO_ROOT, 'data') };
}

/** The path of the SQLite file a location names (the directory is created if missing). */
export function resolveSqlitePath(location: DatabaseLocation): string {
  if ('dataDir' in location) {
    mkdirSync(location.dataDir, { recursive: true });
    return path.resolve(location.dataDir, 'parley.db');
  }
  const { url } = location;
  if (!url.startsWith('file:')) {
    throw new Error(`Unsupported DATABASE_URL "${url.split(':')[0]}:…": expected a file: URL`);
  }
  const raw = url.slice('file:'.length);
  const file = raw.startsWith('//') ? fileURLToPath(url) : path.resolve(raw);
  mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

/**
 * Turns on write-ahead logging once for the file: it persists in the database, lets readers
 * run while one writer commits, and with synchronous=NORMAL an acknowledged commit survives a
 * crash of the process (SIGKILL), which is the durability Parley promises.
 */
function prepareSqliteFile(file: string): void {
  const sqlite = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    sqlite.pragma('journal_mode = WAL');
  } finally {
    sqlite.close();
  }
}

export interface SqliteAdapterOptions {
  /**
   * Prepared statements the connection keeps (default 256, patches/); 0 prepares every query
   * anew, as the stock adapter does (the benchmark's naive server measures that).
   */
  statementCacheSize?: number;
}

/** A driver-adapter factory for the file, for Prisma Client and the migration engine alike. */
export function createSqliteAdapter(
  file: string,
  options: SqliteAdapterOptions = {},
): PrismaBetterSqlite3 {
  return new PrismaBetterSqlite3({ url: file, timeout: BUSY_TIMEOUT_MS }, options);
}

export interface DatabaseHandle {
  db: Db;
  /** Absolute path of the SQLite file. */
  file: string;
  close(): Promise<void>;
}

/** Opens the embedded SQLite database (creating the file and its directory if needed). */
export async function openDatabase(
  location: DatabaseLocation,
  options: SqliteAdapterOptions = {},
): Promise<DatabaseHandle> {
  const file = resolveSqlitePath(location);
  prepareSqliteFile(file);
  const db = new PrismaClient({ adapter: createSqliteAdapter(file, options) });
  // Per-connection settings; the adapter keeps one connection, so these hold for its life.
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  return { db, file, close: () => db.$disconnect() };
}
