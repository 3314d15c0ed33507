/**
 * `pnpm start` runs the production bundle with the settings of src/production.ts (the ones the
 * other process tests and the benchmark use), in the process the start script started: run the
 * script as pnpm does (`sh -c`), then read the server's own command line and environment.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS, serverBuild } from '../src/production.ts';
import { startListeningProcess } from '../testing/server-process.ts';

const manifest = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '../package.json'), 'utf8'),
) as { scripts: { start: string } };
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-start-'));
// Values of the caller's own that the start script must override, as the old shell line did.
const env = {
  PARLEY_DATA_DIR: dataDir,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
  NODE_ENV: 'development',
  MALLOC_ARENA_MAX: '8',
};

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The NUL-separated strings of a /proc file (a command line or an environment). */
const procStrings = (pid: number, file: string) =>
  readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0').filter(Boolean);

describe('pnpm start', () => {
  it('runs the bundle with the production flags and environment, in its own process', async () => {
    serverBuild(); // refuses a stale build
    const server = await startListeningProcess(['sh', '-c', manifest.scripts.start], env);
    const pid = server.child.pid!;
    const serverPid = server.logs.find((entry) => entry.msg === 'listening')?.pid as number;
    try {
      // The shell execs the server: no launcher stays in between, and signals reach the server.
      expect(serverPid).toBe(pid);
      expect(procStrings(pid, 'cmdline')).toEqual([
        process.execPath,
        ...PRODUCTION_NODE_FLAGS,
        path.join(import.meta.dirname, '../dist/main.mjs'),
      ]);
      const environment = procStrings(pid, 'environ');
      for (const [name, value] of Object.entries(PRODUCTION_ENV)) {
        expect(environment).toContain(`${name}=${value}`);
      }
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      const code = await server.stop('SIGTERM');
      // Had a process stayed in between, the server would outlive it: never leave one behind.
      if (serverPid !== pid) process.kill(serverPid, 'SIGKILL');
      expect(code).toBe(0);
    }
  });

  it("passes the server's exit code through", () => {
    const result = spawnSync('sh', ['-c', manifest.scripts.start], {
      cwd: path.join(import.meta.dirname, '..'),
      env: { ...process.env, ...env, PORT: 'not-a-port' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT');
  });

  it('fails, instead of doing nothing, where there is no build', () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'parley-no-build-'));
    try {
      const result = spawnSync('sh', ['-c', manifest.scripts.start], {
        cwd: elsewhere,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('dist/start.mjs');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
