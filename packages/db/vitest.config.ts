import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A red CI run names its test: a JUnit report beside the console's (turbo keeps test-results/).
    reporters: ['default', ['junit', { outputFile: 'test-results/junit.xml' }]],
    include: ['src/**/*.test.ts'],
    // Tests drive the WebAssembly schema engine and spawn the CLI (tsx) against real SQLite
    // files, in hooks too: seconds each on a busy two-core machine. These bounds only stop a
    // hung test; vitest's default 10 s for hooks would fail a slow run, not a broken one.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
