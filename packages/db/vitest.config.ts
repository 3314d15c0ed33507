import { defineConfig } from 'vitest/config';
import { databaseProjects } from './testing/vitest-projects.ts';

// Two projects over one set of tests: SQLite's, and PostgreSQL's (one test PostgreSQL for the
// run, started by postgres-setup.ts). Here only the PostgreSQL migration tests run on both;
// the rest test SQLite itself (its file, pragmas, the adapter patch, its migration history).
const POSTGRES_TESTS = ['src/**/*.postgres.test.ts'];

export default defineConfig({
  test: {
    // A red CI run names its test: a JUnit report beside the console's (turbo keeps test-results/).
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml' }]],
    // Tests drive the WebAssembly schema engine and spawn the CLI (tsx) against real SQLite
    // files, in hooks too. At a load average of 20 on two cores one CLI run took ~20 s and a
    // test that runs it three times 61 s. These bounds only stop a hung test; vitest's defaults
    // (5 s, 10 s for hooks) would fail a slow run, not a broken one.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    projects: databaseProjects({
      sqlite: { include: ['src/**/*.test.ts', 'testing/**/*.test.ts'], exclude: POSTGRES_TESTS },
      postgres: { include: POSTGRES_TESTS },
    }),
  },
});
