/**
 * Targets as child processes: started through a wrapper command (as `pnpm bench:instructions`
 * runs Parley under valgrind), on a port nobody else can take first, and failing at once, with
 * their output, when they exit before listening.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_DIR, startTarget, type TargetSpec } from '../src/process.ts';
import { seedDatabase, type SeededDatabase } from '../src/seed.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-process-'));
let seeded: SeededDatabase;
beforeAll(async () => {
  seeded = await seedDatabase(path.join(dir, 'parley.db'), { conversations: 2 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nodeHttp = (spec: Partial<TargetSpec> = {}): TargetSpec => ({
  name: 'node-http',
  entry: path.join(BENCH_DIR, 'src/targets/node-http.ts'),
  cwd: BENCH_DIR,
  env: { BENCH_DB_FILE: seeded.file },
  stopGraceMs: 5_000,
  ...spec,
});

describe('startTarget', () => {
  it('runs node through a wrapper that execs it, keeping its pid and output', async () => {
    const target = await startTarget(
      nodeHttp({ wrapper: ['sh', '-c', 'echo wrapped by sh >&2; exec "$@"', 'sh'] }),
    );
    try {
      expect((await fetch(`${target.url}/healthz`)).status).toBe(200);
      // The pid watched for memory is node itself, not the wrapper.
      expect(readFileSync(`/proc/${target.pid}/cmdline`, 'utf8')).toContain(process.execPath);
      expect(target.output()).toContain('wrapped by sh');
    } finally {
      await target.stop();
    }
  });

  it('starts even when another process takes the port in PORT before the target binds', async () => {
    // The wrapper tells this test the PORT it was given and waits; the test listens on that
    // port, as any other program could between a harness's choice of a port and the target's
    // bind, then lets the target start. A target told to bind port 0 gets its own port.
    const portFifo = path.join(dir, 'port');
    const goFifo = path.join(dir, 'go');
    execFileSync('mkfifo', [portFifo, goFifo]);
    const other = createServer();
    const started = startTarget(
      nodeHttp({
        env: { BENCH_DB_FILE: seeded.file, PORT_FIFO: portFifo, GO_FIFO: goFifo },
        wrapper: ['sh', '-c', 'echo "$PORT" > "$PORT_FIFO"; read go < "$GO_FIFO"; exec "$@"', 'sh'],
      }),
    );
    try {
      const told = createReadStream(portFifo, 'utf8');
      const [line] = (await once(told, 'data')) as [string];
      other.listen(Number(line.trim()), '127.0.0.1');
      await once(other, 'listening');
      await writeFile(goFifo, 'go\n');
      const target = await started;
      try {
        const taken = (other.address() as AddressInfo).port;
        expect(new URL(target.url).port).not.toBe(String(taken));
        expect((await fetch(`${target.url}/healthz`)).status).toBe(200);
      } finally {
        await target.stop();
      }
    } finally {
      other.close();
    }
  });

  it('fails at once, with the output, when the target exits before listening', async () => {
    const start = startTarget(nodeHttp({ env: {} }));
    await expect(start).rejects.toThrow(
      /node-http did not start: exited with 1 before listening[^]*BENCH_DB_FILE is not set/,
    );
  });

  it('fails, instead of crashing the harness, when the wrapper command cannot be run', async () => {
    const start = startTarget(nodeHttp({ wrapper: [path.join(dir, 'no-such-wrapper')] }));
    await expect(start).rejects.toThrow(/node-http did not start: spawn \S*no-such-wrapper ENOENT/);
  });
});
