/** Targets started through a wrapper command, as `pnpm bench:instructions` runs Parley under valgrind. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_DIR, startTarget } from '../src/process.ts';
import { seedDatabase } from '../src/seed.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startTarget', () => {
  it('runs node through a wrapper that execs it, keeping its pid and output', async () => {
    const seeded = await seedDatabase(path.join(dir, 'parley.db'), { conversations: 2 });
    const target = await startTarget({
      name: 'node-http',
      entry: path.join(BENCH_DIR, 'src/targets/node-http.ts'),
      cwd: BENCH_DIR,
      env: { BENCH_DB_FILE: seeded.file },
      wrapper: ['sh', '-c', 'echo wrapped by sh >&2; exec "$@"', 'sh'],
      stopGraceMs: 5_000,
    });
    try {
      expect((await fetch(`${target.url}/healthz`)).status).toBe(200);
      // The pid watched for memory is node itself, not the wrapper.
      expect(readFileSync(`/proc/${target.pid}/cmdline`, 'utf8')).toContain(process.execPath);
      expect(target.output()).toContain('wrapped by sh');
    } finally {
      await target.stop();
    }
  });
});
