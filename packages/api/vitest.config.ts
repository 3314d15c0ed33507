import { defineConfig } from 'vitest/config';

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
  },
});
