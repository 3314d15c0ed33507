import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // These tests start the real server and CLI as processes; a cold tsx start on a busy
    // 2-core machine takes seconds, so the default 5 s is not a useful bound here.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
