// PostgreSQL for the wasm schema engine, through @prisma/adapter-pg. Its own migration-aware
// factory has faults the engine runs into, worked around here:
// - built from a connection string, its shadow database connection points at the MAIN database
//   (history would be replayed there), and it drops the shadow database before closing the
//   pool connected to it (the drop fails, shadow databases pile up): shadow databases are made
//   and dropped here instead;
// - it cannot read PostgreSQL's internal type "char" (OID 18), which the schema describer
//   selects from the catalogs (and wants as the Character column type): such columns pass the
//   adapter as text, marked, and leave it as Character;
// - its executeScript splits a script on ';', which breaks quoted text and function bodies: a
//   script is sent whole, as PostgreSQL's simple query protocol allows.
import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';

/** PostgreSQL's OIDs for the internal one-byte type "char", and for text. */
const CHAR_OID = 18;
const TEXT_OID = 25;
/** Appended to the name of a "char" column on its way through the adapter. */
const CHAR_MARK = '\u0000char';

/** A one-connection pool whose results present "char" columns as text. */
function enginePool(url: string, database?: string): pg.Pool {
  const pool = new pg.Pool({
    // A connection string wins over a `database` field in pg: name the database in the URL.
    connectionString: database === undefined ? url : databaseUrl(url, database),
    max: 1, // the engine's session state (advisory lock, search_path) lives on one connection
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => undefined); // an idle connection lost: the next query reports it
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<pg.QueryResult>;
  (pool as { query: unknown }).query = async (...args: unknown[]) => {
    const result = await query(...args);
    for (const field of result.fields ?? []) {
      if (field.dataTypeID !== CHAR_OID) continue;
      field.dataTypeID = TEXT_OID;
      field.name += CHAR_MARK;
    }
    return result;
  };
  return pool;
}

/** The adapter, with executeScript sending the script in one round trip. */
async function engineAdapter(pool: pg.Pool): Promise<SqlDriverAdapter> {
  const adapter = await new PrismaPg(pool).connect();
  const executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      // The engine's error shape for a PostgreSQL error, as the adapter reports one.
      const e = error as pg.DatabaseError;
      if (typeof e.code !== 'string') throw error;
      throw new DriverAdapterError({
        kind: 'postgres',
        code: e.code,
        severity: e.severity ?? 'ERROR',
        message: e.message,
        detail: e.detail,
        column: e.column,
        hint: e.hint,
      });
    }
  };
  const queryRaw: SqlDriverAdapter['queryRaw'] = async (query) => {
    const result = await adapter.queryRaw(query);
    result.columnNames.forEach((name, index) => {
      if (!name.endsWith(CHAR_MARK)) return;
      result.columnNames[index] = name.slice(0, -CHAR_MARK.length);
      result.columnTypes[index] = ColumnTypeEnum.Character;
    });
    return result;
  };
  return Object.assign(Object.create(adapter) as SqlDriverAdapter, { executeScript, queryRaw });
}

/** The database name in a PostgreSQL URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** The same server and credentials as `url`, another database. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Runs `fn` on a connection to the server's maintenance database (`postgres`), where databases
 * are created and dropped.
 */
export async function withServerConnection<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(url, 'postgres') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates a database beside the one in `url`, empty or a copy of `template`; returns its name.
 */
export async function createScratchDatabase(
  url: string,
  purpose: string,
  template?: string,
): Promise<string> {
  const suffix = `_${purpose}_${randomBytes(6).toString('hex')}`;
  const name = `${databaseName(url).slice(0, 63 - suffix.length)}${suffix}`;
  const copy = template === undefined ? '' : ` TEMPLATE ${quoteIdentifier(template)}`;
  await withServerConnection(url, (client) =>
    client.query(`CREATE DATABASE ${quoteIdentifier(name)}${copy}`),
  );
  return name;
}

export async function dropDatabase(url: string, name: string): Promise<void> {
  await withServerConnection(url, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
  );
}

/**
 * The engine's factory for one PostgreSQL database: its main connection, and shadow databases
 * created beside it and dropped once their pools are closed (disposeAll).
 */
export class PostgresEngineFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';
  readonly #url: string;
  readonly #pools: pg.Pool[] = [];
  readonly #shadows: string[] = [];

  constructor(url: string) {
    this.#url = url;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const pool = enginePool(this.#url);
    this.#pools.push(pool);
    return engineAdapter(pool);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = await createScratchDatabase(this.#url, 'shadow');
    this.#shadows.push(name);
    const pool = enginePool(this.#url, name);
    this.#pools.push(pool);
    return engineAdapter(pool);
  }

  async disposeAll(): Promise<void> {
    await Promise.allSettled(this.#pools.splice(0).map((pool) => pool.end()));
    const shadows = this.#shadows.splice(0);
    await Promise.allSettled(shadows.map((name) => dropDatabase(this.#url, name)));
  }
}

export interface PostgresMigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** The rows of `_prisma_migrations` in the order they ran; empty when there is no table. */
export async function readPostgresMigrationsTable(url: string): Promise<PostgresMigrationRow[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const table = await client.query("SELECT to_regclass('_prisma_migrations') AS name");
    if ((table.rows[0] as { name: unknown } | undefined)?.name == null) return [];
    const rows = await client.query<PostgresMigrationRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ' +
        'ORDER BY started_at, migration_name',
    );
    return rows.rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
