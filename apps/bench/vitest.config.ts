import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The target tests start real server processes; a cold tsx start on a busy 2-core machine
    // takes seconds.
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
