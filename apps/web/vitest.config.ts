import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A red CI run names its test: a JUnit report beside the console's (turbo keeps test-results/).
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml' }]],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The end-to-end tests start the real server and Chromium: seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
