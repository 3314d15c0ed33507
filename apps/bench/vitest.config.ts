import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A red CI run names its test: a JUnit report beside the console's (turbo keeps test-results/).
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml' }]],
    // The target tests start real server processes; a cold tsx start on a 2-core machine loaded
    // by other work has taken over a minute (startTarget waits up to 3). Bounds for hangs only.
    testTimeout: 240_000,
    hookTimeout: 300_000,
  },
});
