// Prisma's schema engine compiled to WebAssembly, driven through the better-sqlite3 driver
// adapter or, for PostgreSQL, @prisma/adapter-pg (postgres.ts). The Rust binary engine cannot be downloaded on Parley's machines, so this is how
// migrations are applied, created and diffed (docs/database.md, "The offline schema engine").
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import type * as RuntimeModule from '@prisma/schema-engine-wasm/schema_engine_bg';
import { createSqliteAdapter } from '../client.ts';
import { PostgresEngineFactory } from './postgres.ts';

export type { SchemaEngine } from '@prisma/schema-engine-wasm';

type Runtime = typeof RuntimeModule;

// Neither the ES2023 lib nor @types/node 20 types WebAssembly; declare the one call used.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, object>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

/** A Prisma schema file as the engine wants it: where it lives (for messages) and its text. */
export interface SchemaFile {
  path: string;
  content: string;
}

let runtimePromise: Promise<Runtime> | undefined;

/**
 * Instantiates the wasm module once per process: it is 5 MB to compile, and the glue module
 * keeps the instance in module state, so a second instantiation would only replace the first.
 */
export function loadSchemaEngineRuntime(): Promise<Runtime> {
  runtimePromise ??= instantiateRuntime().catch((error: unknown) => {
    runtimePromise = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return runtimePromise;
}

async function instantiateRuntime(): Promise<Runtime> {
  // The package's main entry imports the .wasm as an ES module, which Node cannot do; load
  // the JS glue alone and instantiate the wasm by hand, as Prisma's own wasm loader does.
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const runtime = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  // The glue reports Rust panics through this global; without it a panic becomes a TypeError.
  const registryHolder = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown };
  registryHolder.PRISMA_WASM_PANIC_REGISTRY ??= new PanicRegistry();
  const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': runtime });
  runtime.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return runtime;
}

class PanicRegistry {
  #message = '';
  get(): string {
    return this.#message;
  }
  set_message(message: string): void {
    this.#message = `RuntimeError: ${message}`;
  }
}

/** The last Rust panic message, to make a wasm `RuntimeError: unreachable` understandable. */
export function lastPanicMessage(): string | undefined {
  const registry = (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { get?: () => unknown } })
    .PRISMA_WASM_PANIC_REGISTRY;
  const message = typeof registry?.get === 'function' ? registry.get() : undefined;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

function isMultiStatementError(error: unknown): boolean {
  return error instanceof RangeError && error.message.includes('more than one statement');
}

// The engine's SQLite migration lock is `PRAGMA main.locking_mode=EXCLUSIVE`. That holds the
// file until the connection closes, and on a WAL database it cannot be had at all while any
// other connection is open (a running server, or the Prisma client a caller opened before
// deploying): the engine then fails with SQLITE_BUSY. Deploy serializes through its own lock
// file instead (lock.ts), so the pragma becomes a harmless read of the current mode.
const EXCLUSIVE_LOCKING = /^\s*PRAGMA\s+(?:main\.)?locking_mode\s*=\s*'?EXCLUSIVE'?\s*;?\s*$/i;

function withoutExclusiveLocking(query: SqlQuery): SqlQuery {
  return EXCLUSIVE_LOCKING.test(query.sql) ? { ...query, sql: 'PRAGMA main.locking_mode' } : query;
}

/**
 * Adapts a better-sqlite3 connection to what the engine sends it:
 * - better-sqlite3 prepares one statement at a time and refuses anything longer, but the
 *   engine replays whole migration files through `executeRaw` onto its shadow database; a
 *   call with no parameters that fails that way is a script, so it is run as one;
 * - the exclusive locking mode is dropped (see EXCLUSIVE_LOCKING).
 */
function forSchemaEngine(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const safe: SqlDriverAdapter = {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query: SqlQuery) => adapter.queryRaw(withoutExclusiveLocking(query)),
    executeRaw: async (query: SqlQuery) => {
      const rewritten = withoutExclusiveLocking(query);
      try {
        return await adapter.executeRaw(rewritten);
      } catch (error) {
        if (rewritten.args.length > 0 || !isMultiStatementError(error)) throw error;
        await adapter.executeScript(rewritten.sql);
        return 0;
      }
    },
    executeScript: (script: string) => adapter.executeScript(script),
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    dispose: () => adapter.dispose(),
  };
  // Only present when the adapter has it: the binding checks for the method's existence.
  const getConnectionInfo = adapter.getConnectionInfo?.bind(adapter);
  if (getConnectionInfo) safe.getConnectionInfo = getConnectionInfo;
  return safe;
}

/**
 * The SQLite adapter factory with every connection (main and shadow) adapted for the engine
 * and remembered, so they can be closed when the engine is done: the engine does not close
 * its main connection, and an open handle would hold the file until garbage collection.
 */
class TrackedSqliteFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'sqlite';
  readonly adapterName: string;
  readonly #inner: SqlMigrationAwareDriverAdapterFactory;
  readonly #open: SqlDriverAdapter[] = [];

  constructor(file: string) {
    this.#inner = createSqliteAdapter(file);
    this.adapterName = this.#inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return this.#track(await this.#inner.connect());
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.#track(await this.#inner.connectToShadowDb());
  }

  #track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    this.#open.push(adapter);
    return forSchemaEngine(adapter);
  }

  /** Closes every connection handed out (closing twice is harmless in better-sqlite3). */
  async disposeAll(): Promise<void> {
    const open = this.#open.splice(0);
    await Promise.allSettled(open.map((adapter) => adapter.dispose()));
  }
}

export interface EngineHandle {
  engine: SchemaEngine;
  /** Frees the engine and closes its database connections. */
  close(): Promise<void>;
}

/** The main database: a SQLite file (created if missing) or a PostgreSQL URL. */
export type EngineTarget = { file: string } | { url: string };

export interface CreateEngineOptions {
  target: EngineTarget;
  schema: SchemaFile;
  /** Receives the engine's JSON log lines; they are dropped by default. */
  onLog?: (line: string) => void;
}

/** A schema engine for one database and schema; close it when done. */
export async function createEngine(options: CreateEngineOptions): Promise<EngineHandle> {
  const runtime = await loadSchemaEngineRuntime();
  const factory =
    'url' in options.target
      ? new PostgresEngineFactory(options.target.url)
      : new TrackedSqliteFactory(options.target.file);
  const onLog = options.onLog ?? (() => undefined);
  let engine: SchemaEngine;
  try {
    engine = await runtime.SchemaEngine.new(
      { datamodels: [[options.schema.path, options.schema.content]] },
      (line: string) => onLog(line),
      bindMigrationAwareSqlAdapterFactory(factory),
    );
  } catch (error) {
    await factory.disposeAll();
    throw error;
  }
  let closed = false;
  return {
    engine,
    close: async () => {
      if (closed) return;
      closed = true;
      engine.free();
      await factory.disposeAll();
    },
  };
}

/** Runs `fn` with a fresh engine and always closes it afterwards. */
export async function withEngine<T>(
  options: CreateEngineOptions,
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const handle = await createEngine(options);
  try {
    return await fn(handle.engine);
  } finally {
    await handle.close();
  }
}
