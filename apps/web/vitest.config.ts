import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A migrated database with an API key, copied by each browser test file (test/browser.ts).
    globalSetup: ['test/global-setup.ts'],
    // The end-to-end tests start the real server and Chromium: seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
