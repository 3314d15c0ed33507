import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests drive the wasm schema engine and spawn the CLI against real SQLite files.
    testTimeout: 30_000,
  },
});
