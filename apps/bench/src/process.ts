/**
 * Benchmark targets as child processes: each runs `node <entry>` (a built .mjs as it is, a
 * TypeScript entry through `--import tsx`; never the tsx CLI, whose wrapper process would be the
 * pid we watch instead of the server itself) on
 * 127.0.0.1 and a port picked here, and counts as up when GET /healthz answers 200. Its memory is
 * read from /proc/<pid>/status: VmRSS now, VmHWM the peak over its life.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BENCH_DIR = path.join(REPO_ROOT, 'apps/bench');
const TSX_LOADER = import.meta.resolve('tsx');

export interface TargetSpec {
  name: string;
  /** The entry point: a built .mjs, or TypeScript (run through tsx). */
  entry: string;
  /** Working directory (the package that owns the entry). */
  cwd: string;
  env: Record<string, string>;
  /** Extra flags for node, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** A command that runs node, e.g. valgrind and its flags (it must exec node in its own pid). */
  wrapper?: string[];
  /** How long a stop waits after SIGTERM before SIGKILL (default 15 s). */
  stopGraceMs?: number;
}

export interface Target {
  name: string;
  url: string;
  pid: number;
  /** Resident memory now and its peak over the process's life, in bytes. */
  memory(): { rss: number; peak: number };
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
  stop(): Promise<void>;
  /** The last few kilobytes the process wrote to stdout and stderr. */
  output(): string;
}

/** A port free on 127.0.0.1 right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Reads VmRSS and VmHWM (bytes) of a process from /proc. */
export function processMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

export async function startTarget(spec: TargetSpec, timeoutMs = 60_000): Promise<Target> {
  const port = await freePort();
  const [command = process.execPath, ...wrapperArgs] = spec.wrapper ?? [];
  const child = spawn(
    command,
    [
      ...(spec.wrapper ? [...wrapperArgs, process.execPath] : []),
      ...(spec.nodeArgs ?? []),
      ...(spec.entry.endsWith('.mjs') ? [] : ['--import', TSX_LOADER]),
      spec.entry,
    ],
    {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${spec.name} exited with ${exitCode} before answering\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} did not answer /healthz within ${timeoutMs} ms\n${output}`);
    }
    if (await healthy(url)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.name} has no pid`);
  return {
    name: spec.name,
    url,
    pid,
    memory: () => processMemory(pid),
    stop: () => stopChild(child, exited, spec.stopGraceMs ?? 15_000),
    output: () => output,
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
