import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A red CI run names its test: a JUnit report beside the console's (turbo keeps test-results/).
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml' }]],
    // These tests start the real server and CLI as processes; a cold tsx start on a busy
    // 2-core machine takes seconds, so the default 5 s is not a useful bound here.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
