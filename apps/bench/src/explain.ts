/**
 * The query plans of Parley's hot queries, as SQLite will run them: the SQL is not written here
 * but captured from Prisma itself. The harness runs rename, get, list pages and a search through Parley's
 * router (createCaller, authenticated by the same API key as the load) against a database, while
 * the statements better-sqlite3 prepares are watched; every statement Prisma ran, with its
 * arguments, is then given to `EXPLAIN QUERY PLAN`.
 */
import { createApiDeps, createCaller, createInProcessEvents, createTRPCContext } from '@parley/api';
import { openDatabase } from '@parley/db';
import Database from 'better-sqlite3';

export interface StatementPlan {
  sql: string;
  /** EXPLAIN QUERY PLAN's rows as an indented tree, one line per step. */
  plan: string[];
}

export interface OperationPlans {
  operation: string;
  statements: StatementPlan[];
}

interface Captured {
  sql: string;
  args: unknown[];
}

type Prepare = (this: Database.Database, source: string) => Database.Statement;
type Run = (this: Database.Statement, ...params: unknown[]) => unknown;

/**
 * Watches every statement prepared from now on: each run of it (Prisma's adapter keeps prepared
 * statements and runs them again with new arguments) is recorded with its arguments into the
 * list `sink()` returns at that moment. Returns the function that stops watching.
 */
function watchStatements(sink: () => Captured[] | undefined): () => void {
  const proto = Database.prototype as unknown as { prepare: Prepare };
  const original = proto.prepare;
  proto.prepare = function (this: Database.Database, source: string) {
    const statement = original.call(this, source) as unknown as Record<'run' | 'all', Run>;
    for (const method of ['run', 'all'] as const) {
      const call = statement[method];
      statement[method] = function (this: Database.Statement, ...params) {
        sink()?.push({
          sql: source,
          args: params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params,
        });
        return call.apply(this, params);
      };
    }
    return statement as unknown as Database.Statement;
  };
  return () => {
    proto.prepare = original;
  };
}

/** EXPLAIN QUERY PLAN's rows (id, parent, detail) as an indented tree. */
export function planTree(
  rows: readonly { id: number; parent: number; detail: string }[],
): string[] {
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((row) => {
    const level = (depth.get(row.parent) ?? -1) + 1;
    depth.set(row.id, level);
    return `${'  '.repeat(level)}${row.detail}`;
  });
}

const DATA_STATEMENT = /^\s*(?:SELECT|UPDATE|INSERT|DELETE|WITH)\b/i;

export interface ExplainSubject {
  key: string;
  /** A conversation the key's user owns. */
  id: string;
  /** A keyset cursor of a page deep in the user's list. */
  cursor: string;
}

export async function explainHotQueries(
  file: string,
  subject: ExplainSubject,
): Promise<OperationPlans[]> {
  let current: Captured[] | undefined;
  const stopWatching = watchStatements(() => current);
  const database = await openDatabase({ url: `file:${file}` });
  const operations: [string, (api: ReturnType<typeof createCaller>) => Promise<unknown>][] = [
    [
      'rename (conversation.rename; every REST rename face)',
      (api) => api.conversation.rename({ id: subject.id, title: 'Explained' }),
    ],
    ['get (conversation.get)', (api) => api.conversation.get({ id: subject.id })],
    [
      'list, first page (conversation.list limit 20)',
      (api) => api.conversation.list({ limit: 20 }),
    ],
    [
      'list, keyset page (conversation.list limit 20 + cursor)',
      (api) => api.conversation.list({ limit: 20, cursor: subject.cursor }),
    ],
    [
      'search (conversation.search, a 4-digit query)',
      (api) => api.conversation.search({ q: '4242', limit: 20 }),
    ],
  ];
  const captured: { operation: string; statements: Captured[] }[] = [];
  const events = createInProcessEvents();
  try {
    const deps = createApiDeps({ db: database.db, events });
    const api = createCaller(createTRPCContext(deps, { authorization: `Bearer ${subject.key}` }));
    for (const [operation, run] of operations) {
      const statements: Captured[] = [];
      current = statements;
      await run(api);
      current = undefined;
      captured.push({
        operation,
        statements: statements.filter((s) => DATA_STATEMENT.test(s.sql)),
      });
    }
  } finally {
    stopWatching();
    events.close();
    await database.close();
  }
  if (captured.every((c) => c.statements.length === 0)) {
    throw new Error(
      'captured no SQL: Prisma no longer runs statements through this better-sqlite3',
    );
  }

  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return captured.map(({ operation, statements }) => ({
      operation,
      statements: statements.map(({ sql, args }) => ({
        sql,
        plan: planTree(
          sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(args) as {
            id: number;
            parent: number;
            detail: string;
          }[],
        ),
      })),
    }));
  } finally {
    sqlite.close();
  }
}
