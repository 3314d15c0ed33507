/**
 * The query plans of Parley's hot queries, as the database will run them: the SQL is not written
 * here but captured from Prisma itself. The harness runs rename, get, list pages and a search
 * through Parley's router (createCaller, authenticated by the same API key as the load) against a
 * database, while the statements its driver sends are watched (better-sqlite3's prepared
 * statements on SQLite, pg's queries on PostgreSQL); every statement Prisma ran, with its
 * arguments, is then given to the database's EXPLAIN: `EXPLAIN QUERY PLAN` on SQLite,
 * `EXPLAIN (COSTS OFF)` on PostgreSQL (bound as the driver bound it, so PostgreSQL plans for
 * those values, as it did for the query). checkPlans says whether each plan is the one wanted.
 */
import { createApiDeps, createCaller, createInProcessEvents, createTRPCContext } from '@parley/api';
import { openDatabase } from '@parley/db';
import Database from 'better-sqlite3';
import pg from 'pg';

export interface StatementPlan {
  sql: string;
  /** The plan, one line per step, indented as a tree. */
  plan: string[];
}

export interface OperationPlans {
  operation: string;
  statements: StatementPlan[];
}

/** Where the database is: a SQLite file or a PostgreSQL URL. */
export type PlanDatabase = { file: string } | { url: string };

interface Captured {
  sql: string;
  args: unknown[];
}

/** What differs by database: how the SQL sent is watched, and how a plan is asked for. */
interface Driver {
  /**
   * Records every statement sent from now on, with its arguments, into the list `sink()`
   * returns at that moment; returns the function that stops watching.
   */
  watch(sink: () => Captured[] | undefined): () => void;
  /** The plans of the captured statements, on a connection of the harness's own. */
  explain(statements: Captured[][]): Promise<StatementPlan[][]>;
}

type Prepare = (this: Database.Database, source: string) => Database.Statement;
type Run = (this: Database.Statement, ...params: unknown[]) => unknown;

/**
 * SQLite: every statement prepared through better-sqlite3 is watched, and each run of it
 * (Prisma's adapter keeps prepared statements and runs them again with new arguments) recorded.
 */
function sqliteDriver(file: string): Driver {
  return {
    watch(sink) {
      const proto = Database.prototype as unknown as { prepare: Prepare };
      const original = proto.prepare;
      proto.prepare = function (this: Database.Database, source: string) {
        const statement = original.call(this, source) as unknown as Record<'run' | 'all', Run>;
        for (const method of ['run', 'all'] as const) {
          const call = statement[method];
          statement[method] = function (this: Database.Statement, ...params) {
            sink()?.push({
              sql: source,
              args:
                params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params,
            });
            return call.apply(this, params);
          };
        }
        return statement as unknown as Database.Statement;
      };
      return () => {
        proto.prepare = original;
      };
    },
    explain(operations) {
      const sqlite = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const plans = operations.map((statements) =>
          statements.map(({ sql, args }) => ({
            sql,
            plan: planTree(
              sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(args) as {
                id: number;
                parent: number;
                detail: string;
              }[],
            ),
          })),
        );
        return Promise.resolve(plans);
      } finally {
        sqlite.close();
      }
    },
  };
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * PostgreSQL: every query a pg client sends (Prisma's adapter, like the pool under it, queries
 * through pg.Client) is recorded with the values it binds, as the adapter has turned them into
 * text; the EXPLAIN binds the same, so PostgreSQL infers the same types and plans for the same
 * values (the adapter's statements are unnamed: each is planned for its values).
 */
function postgresDriver(url: string): Driver {
  return {
    watch(sink) {
      const proto = pg.Client.prototype as unknown as { query: Query };
      const original = proto.query;
      proto.query = function (this: pg.Client, ...args: unknown[]) {
        const [config, values] = args;
        if (typeof config === 'string') {
          sink()?.push({ sql: config, args: Array.isArray(values) ? values : [] });
        } else if (typeof config === 'object' && config !== null && 'text' in config) {
          const query = config as { text: string; values?: unknown[] };
          sink()?.push({ sql: query.text, args: query.values ?? [] });
        }
        return original.apply(this, args);
      };
      return () => {
        proto.query = original;
      };
    },
    async explain(operations) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const plans: StatementPlan[][] = [];
        for (const statements of operations) {
          const explained: StatementPlan[] = [];
          for (const { sql, args } of statements) {
            const result = await client.query<{ 'QUERY PLAN': string }>(
              `EXPLAIN (COSTS OFF) ${sql}`,
              args,
            );
            explained.push({ sql, plan: result.rows.map((row) => row['QUERY PLAN']) });
          }
          plans.push(explained);
        }
        return plans;
      } finally {
        await client.end();
      }
    },
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

/** The operations explained, in this order; checkPlans finds them by these names. */
export const EXPLAINED = {
  rename: 'rename (conversation.rename; every REST rename face)',
  get: 'get (conversation.get)',
  firstPage: 'list, first page (conversation.list limit 20)',
  keysetPage: 'list, keyset page (conversation.list limit 20 + cursor)',
  search: 'search (conversation.search, a 4-digit query)',
} as const;

export async function explainHotQueries(
  database: PlanDatabase,
  subject: ExplainSubject,
): Promise<OperationPlans[]> {
  const driver = 'file' in database ? sqliteDriver(database.file) : postgresDriver(database.url);
  let current: Captured[] | undefined;
  const stopWatching = driver.watch(() => current);
  const handle = await openDatabase({
    url: 'file' in database ? `file:${database.file}` : database.url,
  });
  const operations: [string, (api: ReturnType<typeof createCaller>) => Promise<unknown>][] = [
    [EXPLAINED.rename, (api) => api.conversation.rename({ id: subject.id, title: 'Explained' })],
    [EXPLAINED.get, (api) => api.conversation.get({ id: subject.id })],
    [EXPLAINED.firstPage, (api) => api.conversation.list({ limit: 20 })],
    [EXPLAINED.keysetPage, (api) => api.conversation.list({ limit: 20, cursor: subject.cursor })],
    [EXPLAINED.search, (api) => api.conversation.search({ q: '4242', limit: 20 })],
  ];
  const captured: { operation: string; statements: Captured[] }[] = [];
  const events = createInProcessEvents();
  try {
    const deps = createApiDeps({ db: handle.db, events });
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
    await handle.close();
  }
  if (captured.every((c) => c.statements.length === 0)) {
    throw new Error('captured no SQL: Prisma no longer runs statements through the driver watched');
  }
  const plans = await driver.explain(captured.map((c) => c.statements));
  return captured.map(({ operation }, i) => ({ operation, statements: plans[i] ?? [] }));
}

export interface PlanCheck {
  check: string;
  ok: boolean;
}

/** The statements of an operation that read or write Conversation, and their plans joined. */
function conversationPlans(plans: readonly OperationPlans[], operation: string): string[] {
  const statements = plans.find((p) => p.operation === operation)?.statements ?? [];
  return statements.filter((s) => /Conversation/.test(s.sql)).map((s) => s.plan.join('\n'));
}

/** True when the operation ran statements on Conversation and every plan passes `test`. */
function every(
  plans: readonly OperationPlans[],
  operation: string,
  test: (plan: string) => boolean,
): boolean {
  const found = conversationPlans(plans, operation);
  return found.length > 0 && found.every(test);
}

/**
 * What the plans must show, the same at 1,000 rows as at 1,000,000: rename and get find the row by
 * its primary key, list pages seek the (userId, updatedAt, id) index to their position instead of
 * scanning or sorting the rows before it, and nothing reads Conversation from end to end.
 */
export function checkPlans(
  plans: readonly OperationPlans[],
  database: 'sqlite' | 'postgresql',
): PlanCheck[] {
  const checks: PlanCheck[] = [];
  const check = (text: string, ok: boolean) => checks.push({ check: text, ok });
  const name = (operation: string) => operation.split(' (')[0] ?? operation;
  if (database === 'sqlite') {
    for (const operation of Object.values(EXPLAINED)) {
      check(
        `${name(operation)}: Conversation searched through an index, never scanned`,
        every(plans, operation, (plan) => /SEARCH .*Conversation/.test(plan)),
      );
    }
    check(
      'list, keyset page: seeks (userId, updatedAt, id) to the cursor',
      every(plans, EXPLAINED.keysetPage, (plan) =>
        /USING INDEX \S+ \(userId=\? AND \(updatedAt,id\)<\(\?,\?\)\)/.test(plan),
      ),
    );
    // Read the other way round (the caller's rows, then a MATCH for each), a word in every
    // title took 30 s instead of 0.26 s at 100,000 conversations.
    const search = plans
      .find((p) => p.operation === EXPLAINED.search)
      ?.statements.find((s) => /MATCH/.test(s.sql));
    const steps = search?.plan.map((step) => step.trim()) ?? [];
    const at = steps.indexOf('SCAN ConversationTitleSearch VIRTUAL TABLE INDEX 0:M1');
    check(
      'search: reads the FTS5 title index first, then each row it finds',
      at >= 0 && steps[at + 1] === 'SEARCH c USING INTEGER PRIMARY KEY (rowid=?)',
    );
    return checks;
  }
  const noScan = (plan: string) => !/Seq Scan on "Conversation"/.test(plan);
  for (const operation of Object.values(EXPLAINED)) {
    check(
      `${name(operation)}: no sequential scan of Conversation`,
      every(plans, operation, noScan),
    );
  }
  for (const operation of [EXPLAINED.rename, EXPLAINED.get]) {
    check(
      `${name(operation)}: finds the row by its primary key`,
      every(plans, operation, (plan) =>
        /Index Scan using "Conversation_pkey" on "Conversation"\s+Index Cond: \(id = /.test(plan),
      ),
    );
  }
  const pageIndex = /Index Scan using "Conversation_userId_updatedAt_id_idx" on "Conversation"/;
  check(
    "list, first page: walks (userId, updatedAt, id) from the user's newest, no sort",
    every(
      plans,
      EXPLAINED.firstPage,
      (plan) =>
        pageIndex.test(plan) && /Index Cond: \("userId" = /.test(plan) && !/Sort/.test(plan),
    ),
  );
  check(
    'list, keyset page: seeks (userId, updatedAt, id) to the cursor, no sort',
    every(
      plans,
      EXPLAINED.keysetPage,
      (plan) =>
        pageIndex.test(plan) &&
        /Index Cond: \(\("userId" = .*\) AND \(ROW\("updatedAt", id\) < ROW\(/.test(plan) &&
        !/Sort/.test(plan),
    ),
  );
  return checks;
}
