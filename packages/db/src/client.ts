import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { PrismaPg } from '@prisma/adapter-pg';
import type { ClientConfig } from 'pg';
import Database from 'better-sqlite3';
import { PrismaClient } from './generated/prisma/client.ts';

/**
 * The database client. Both providers' clients are generated from one model
 * (scripts/postgres-schema.mjs) and have the same models and methods; the type is the SQLite
 * client's. There are two clients, not one, because a client refuses a driver adapter of
 * another provider, and the provider decides how raw SQL is bound ($1 against ?).
 */
export type Db = PrismaClient;

/** How long a writer waits for SQLite's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Where the database lives: the embedded SQLite file `<dataDir>/parley.db`, or a URL: `file:`
 * (SQLite) or `postgresql://` / `postgres://` (PostgreSQL).
 */
export type DatabaseLocation = { dataDir: string } | { url: string };

export type DatabaseProvider = 'sqlite' | 'postgresql';

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** Which database a location names. */
export function databaseProvider(location: DatabaseLocation): DatabaseProvider {
  return 'url' in location && POSTGRES_URL.test(location.url) ? 'postgresql' : 'sqlite';
}

/** A database URL fit for logs and messages: the password, if any, replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** Thrown when DATABASE_URL names neither SQLite nor PostgreSQL. */
export class UnsupportedDatabaseUrlError extends Error {
  constructor(url: string) {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? url.slice(0, 20);
    super(
      `DATABASE_URL "${scheme}…" is not supported: use a file: URL (SQLite, the default) or ` +
        'a postgresql:// or postgres:// URL (PostgreSQL).',
    );
    this.name = 'UnsupportedDatabaseUrlError';
  }
}

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
    if (POSTGRES_URL.test(url)) return { url };
    if (!url.startsWith('file:')) throw new UnsupportedDatabaseUrlError(url);
    const raw = url.startsWith('file:') ? url.slice('file:'.length) : undefined;
    if (raw !== undefined && !raw.startsWith('//') && !path.isAbsolute(raw)) {
      return { url: `file:${path.resolve(callerDir, raw)}` };
    }
    return { url };
  }
  const dataDir = env.PARLEY_DATA_DIR?.trim();
  return { dataDir: dataDir ? path.resolve(callerDir, dataDir) : path.join(REPO_ROOT, 'data') };
}

/**
 * Parley's own directory for files beside the database (the session secret): PARLEY_DATA_DIR,
 * by default <repo>/data, relative paths as in databaseLocationFromEnv.
 */
export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const dataDir = env.PARLEY_DATA_DIR?.trim();
  return dataDir
    ? path.resolve(env.INIT_CWD ?? process.cwd(), dataDir)
    : path.join(REPO_ROOT, 'data');
}

/** The path of the SQLite file a location names (the directory is created if missing). */
export function resolveSqlitePath(location: DatabaseLocation): string {
  if ('dataDir' in location) {
    mkdirSync(location.dataDir, { recursive: true });
    return path.resolve(location.dataDir, 'parley.db');
  }
  const { url } = location;
  if (!url.startsWith('file:')) throw new UnsupportedDatabaseUrlError(url);
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

interface HandleBase {
  db: Db;
  close(): Promise<void>;
}

export interface SqliteHandle extends HandleBase {
  provider: 'sqlite';
  /** Absolute path of the SQLite file. */
  file: string;
  /** What the migration functions take (`migrateDeploy(handle.target)`). */
  target: { file: string };
  /** Where the database is, for logs. */
  description: string;
}

export interface PostgresHandle extends HandleBase {
  provider: 'postgresql';
  url: string;
  target: { url: string };
  /** The URL without its password, for logs. */
  description: string;
}

export type DatabaseHandle = SqliteHandle | PostgresHandle;

/** Options of the PostgreSQL connection pool (one pool per process). */
export interface PostgresOptions {
  /** Connections the pool may open (DEFAULT_POOL_SIZE). */
  poolSize?: number;
}

/** Thrown by openDatabase when PostgreSQL does not answer. Its message never holds a password. */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot reach the PostgreSQL database named by DATABASE_URL (${redactUrl(url)}): ` +
        redactUrl(reason),
    );
    this.name = 'DatabaseUnreachableError';
  }
}

/**
 * How long a query may wait for one of the pool's connections when all are busy (a burst of
 * writes on one row) before it fails with a 503: far longer than connecting may take, since a
 * busy pool is not a database that is down.
 */
export const POOL_WAIT_MS = 60_000;

/**
 * Interactive transactions ($transaction(fn)) of either database. Prisma's defaults give one 2 s
 * to get its connection (the pool's on PostgreSQL, the single connection on SQLite) and 5 s to
 * finish, and failing either is a 500: on a busy machine a transaction queued behind others for
 * 2 s failed while a plain query beside it waited. Both now wait as a plain query does; Parley's
 * transactions do nothing but their statements, so a long one is one stuck behind the others.
 */
export const TRANSACTION_OPTIONS = { maxWait: POOL_WAIT_MS, timeout: POOL_WAIT_MS };

/** Connections of the PostgreSQL pool unless `poolSize` says otherwise. */
export const DEFAULT_POOL_SIZE = 10;

/**
 * A driver-adapter factory for a PostgreSQL URL. Connecting gives up after CONNECT_TIMEOUT_MS,
 * so a request made while PostgreSQL is down fails (503) instead of waiting; the pool reconnects
 * by itself once PostgreSQL is back, since each query takes a live connection or opens a new one.
 */
export async function createPostgresAdapter(
  url: string,
  options: PostgresOptions = {},
): Promise<PrismaPg> {
  // Loaded on first use: a SQLite process (the key CLI under tsx, above all) never pays for it.
  const [{ PrismaPg }, { default: pg }] = await Promise.all([
    import('@prisma/adapter-pg'),
    import('pg'),
  ]);
  const connection = postgresConnectionOptions(url);
  // pg-pool's one timeout bounds both connecting and waiting for a free connection, and 5 s of
  // waiting turned a burst of 1,000 renames into 503s: the pool waits POOL_WAIT_MS, each of its
  // connections gives up connecting after CONNECT_TIMEOUT_MS on its own.
  class Connection extends pg.Client {
    constructor(config?: ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connection.connectionTimeoutMillis });
    }
  }
  return new PrismaPg({
    ...connection,
    connectionTimeoutMillis: POOL_WAIT_MS,
    Client: Connection,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
  });
}

/**
 * How long opening one connection may take. A refused connection (PostgreSQL down) fails at once
 * whatever this is; this bounds a database that does not answer. 5 s was too short for a loaded
 * machine: a burst of 1,000 renames on two processes opened their pools' connections while the
 * load average was 15, each took over 5 s to connect and fail its waiting request. 20 s stays
 * under the request timeout (30 s), so an unreachable database is still a 503, not a 408.
 */
export const CONNECT_TIMEOUT_MS = 20_000;

/**
 * How every connection Parley opens to PostgreSQL is made from DATABASE_URL (the pool's, and the
 * one that listens for live changes): the URL as given, and giving up on connecting after
 * CONNECT_TIMEOUT_MS.
 */
export function postgresConnectionOptions(url: string): {
  connectionString: string;
  connectionTimeoutMillis: number;
} {
  return { connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
}

/**
 * Opens the database a location names: the embedded SQLite file (created with its directory
 * if needed), or PostgreSQL, checked with one query so that a wrong URL fails at start.
 */
export async function openDatabase(
  location: DatabaseLocation,
  options: SqliteAdapterOptions & PostgresOptions = {},
): Promise<DatabaseHandle> {
  if ('url' in location && databaseProvider(location) === 'postgresql') {
    return openPostgres(location.url, options);
  }
  return openSqlite(location, options);
}

async function openPostgres(url: string, options: PostgresOptions): Promise<PostgresHandle> {
  const { PrismaClient: PostgresPrismaClient } = await import('./generated/postgresql/client.ts');
  const client = new PostgresPrismaClient({
    adapter: await createPostgresAdapter(url, options),
    transactionOptions: TRANSACTION_OPTIONS,
  });
  try {
    await client.$queryRaw`SELECT 1`;
  } catch (error) {
    await client.$disconnect().catch(() => undefined);
    throw new DatabaseUnreachableError(url, error);
  }
  // Same models and methods (see Db); the types differ only in provider-only options.
  const db = client as unknown as Db;
  return {
    provider: 'postgresql',
    db,
    url,
    target: { url },
    description: redactUrl(url),
    close: () => db.$disconnect(),
  };
}

/** Opens the embedded SQLite database (creating the file and its directory if needed). */
export async function openSqlite(
  location: DatabaseLocation,
  options: SqliteAdapterOptions = {},
): Promise<SqliteHandle> {
  const file = resolveSqlitePath(location);
  prepareSqliteFile(file);
  const db = new PrismaClient({
    adapter: createSqliteAdapter(file, options),
    transactionOptions: TRANSACTION_OPTIONS,
  });
  // Per-connection settings; the adapter keeps one connection, so these hold for its life.
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  return {
    provider: 'sqlite',
    db,
    file,
    target: { file },
    description: file,
    close: () => db.$disconnect(),
  };
}
