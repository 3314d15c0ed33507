import { defineConfig } from 'vitest/config';
import { databaseProjects } from '../../packages/db/testing/vitest-projects.ts';

/**
 * Left out of the PostgreSQL run: tests of SQLite itself (a SIGKILL's durability on the file, the
 * write lock another process holds), of the configuration (no database), and of the production
 * process on its default embedded database (start-up, the web app, proxies, workers on one file,
 * streamed export and import), which would only run on SQLite a second time. The process on
 * PostgreSQL has tests of its own: postgres-faults.test.ts, and postgres-processes.test.ts (two
 * processes, and PARLEY_WORKERS, on one database).
 */
const SQLITE_ONLY = [
  'test/config.test.ts',
  'test/durability.test.ts',
  'test/faces/load.test.ts',
  'test/portability-memory.test.ts',
  'test/rag-memory.test.ts',
  'test/rag-open-process.test.ts',
  'test/server-process.test.ts',
  'test/start.test.ts',
  'test/upgrade-insecure-requests.test.ts',
  'test/web.test.ts',
  'test/workers.test.ts',
];
/**
 * The server on PostgreSQL: with its own PostgreSQL to stop and start, and as two processes on
 * one database (live changes over LISTEN/NOTIFY).
 */
const POSTGRES_ONLY = ['test/postgres-faults.test.ts', 'test/postgres-processes.test.ts'];

export default defineConfig({
  test: {
    // A red CI run names its test: a JUnit report beside the console's (turbo keeps test-results/).
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml' }]],
    // These tests start the real server and CLI as processes; a cold tsx start on a busy
    // 2-core machine takes seconds, so the default 5 s is not a useful bound here.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One set of tests, two databases: every test that touches the database runs on SQLite and
    // on PostgreSQL (one test PostgreSQL for the run, a database of its own per test file).
    projects: databaseProjects({
      sqlite: { exclude: POSTGRES_ONLY },
      postgres: { exclude: SQLITE_ONLY },
    }),
  },
});
