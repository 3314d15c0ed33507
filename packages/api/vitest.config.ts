import { defineConfig } from 'vitest/config';
import { databaseProjects } from '../db/testing/vitest-projects.ts';

// Tests that need no database (pure rules, the import graph, in-memory parts, the error mapping
// against a server that never answers): run once.
const WITHOUT_DATABASE = [
  'src/rules/**',
  'src/data/db-errors.test.ts',
  'src/import-layers.test.ts',
  'src/deps/conversation-events.test.ts',
  'src/deps/title-generators.test.ts',
];

// Tests of PostgreSQL itself (LISTEN/NOTIFY): run on PostgreSQL only.
const POSTGRES_ONLY = ['src/deps/postgres-events.test.ts'];

export default defineConfig({
  test: {
    // A red CI run names its test: a JUnit report beside the console's (turbo keeps test-results/).
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml' }]],
    // Each database test file first migrates a fresh SQLite file through Prisma's WebAssembly
    // schema engine, which takes seconds on a busy two-core machine and tens of seconds at a
    // load average of 20: vitest's default 5 s test and 10 s hook bounds would fail a slow run,
    // not a broken one. These only stop a hung test.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['./vitest.setup.ts'],
    // One set of tests, two databases: every test that touches the database runs on SQLite and
    // on PostgreSQL (one test PostgreSQL for the run, a database of its own per test file).
    projects: databaseProjects({
      sqlite: { exclude: POSTGRES_ONLY },
      postgres: { exclude: WITHOUT_DATABASE },
    }),
  },
});
