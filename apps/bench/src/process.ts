/**
 * Benchmark targets as child processes: each runs `node <entry>` (a built .mjs as it is, a
 * TypeScript entry through `--import tsx`; never the tsx CLI, whose wrapper process would be the
 * pid we watch instead of the server itself) on 127.0.0.1 and port 0: the target binds a port the
 * kernel picks and says which (report-port.mjs, preloaded), so no other program can take it
 * first. It counts as up once it has said so and GET /healthz answers 200. Its memory is read
 * from /proc/<pid>/status: VmRSS now, VmHWM the peak over its life.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BENCH_DIR = path.join(REPO_ROOT, 'apps/bench');
const TSX_LOADER = import.meta.resolve('tsx');
const REPORT_PORT = new URL('./report-port.mjs', import.meta.url).href;
/** The line report-port.mjs prints once the target listens. */
const LISTENING = /^bench-target listening (http:\/\/\S+)\n/m;

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

/** Reads VmRSS and VmHWM (bytes) of a process from /proc. */
export function processMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/**
 * Starts a target and waits until it answers. The bound only turns a start that hangs into an
 * error: a cold tsx start on a two-core machine loaded by other work has taken over a minute.
 */
export async function startTarget(spec: TargetSpec, timeoutMs = 180_000): Promise<Target> {
  const [command = process.execPath, ...wrapperArgs] = spec.wrapper ?? [];
  const child = spawn(
    command,
    [
      ...(spec.wrapper ? [...wrapperArgs, process.execPath] : []),
      ...(spec.nodeArgs ?? []),
      '--import',
      REPORT_PORT,
      ...(spec.entry.endsWith('.mjs') ? [] : ['--import', TSX_LOADER]),
      spec.entry,
    ],
    {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  const deadline = Date.now() + timeoutMs;
  let url: string;
  try {
    url = await listeningUrl(child, timeoutMs);
    const left = Math.max(1, deadline - Date.now());
    const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(left) });
    await health.arrayBuffer();
    if (!health.ok) throw new Error(`answered ${health.status} to GET /healthz`);
  } catch (error) {
    child.kill('SIGKILL');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${spec.name} did not start: ${reason}\n${output}`, { cause: error });
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

/**
 * The URL the target reports once it listens; rejects when it cannot be spawned, when it exits
 * first (once its output is all read) or when it says nothing within `timeoutMs`.
 */
function listeningUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new Error('no stdout'));
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const url = LISTENING.exec(seen)?.[1];
      if (url) settle(() => resolve(url));
      // Only the unfinished last line can still hold the report.
      else seen = seen.slice(seen.lastIndexOf('\n') + 1);
    };
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = (code: number | null, signal: NodeJS.Signals | null) =>
      settle(() => reject(new Error(`exited with ${signal ?? code} before listening`)));
    const timer = setTimeout(
      () => settle(() => reject(new Error(`reported no listening port within ${timeoutMs} ms`))),
      timeoutMs,
    );
    const settle = (done: () => void) => {
      clearTimeout(timer);
      stdout.off('data', onData);
      child.off('error', onError);
      child.off('close', onClose);
      done();
    };
    stdout.on('data', onData);
    child.once('error', onError);
    child.once('close', onClose);
  });
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
