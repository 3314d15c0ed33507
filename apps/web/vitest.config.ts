import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A red CI run names its test: a JUnit report beside the console's (turbo keeps test-results/).
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml' }]],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A migrated database with an API key, copied by each browser test file (test/browser.ts).
    globalSetup: ['test/global-setup.ts'],
    // The end-to-end tests start the real server and Chromium: seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two files at a time even on two cores (vitest would run one): a browser test file mostly
    // waits for the app's own timers (the 6 s undo window, a query's retries, a live reconnect)
    // and for server restarts, while its server process and Chromium do the work.
    maxWorkers: 2,
  },
});
