import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A red CI run names its test: a JUnit report beside the console's (turbo keeps test-results/).
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml' }]],
    // The target tests start real server processes; a cold tsx start on a busy 2-core machine
    // takes seconds.
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
