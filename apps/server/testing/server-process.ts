/**
 * Runs the real server and CLI as child processes, the way an operator does. Also exported as
 * `@parley/server/testing` for the web app's end-to-end tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS, serverBuild } from '../src/production.ts';

const SERVER_DIR = path.resolve(import.meta.dirname, '..');
// The CLI runs from source: `node --import tsx` keeps it in this one process (the tsx CLI would put
// a parent process in between, which a signal would reach instead).
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Every JSON log line the server printed so far. */
  logs: Record<string, unknown>[];
  /**
   * The first log line (printed so far or later) that `match` accepts; rejects after timeoutMs,
   * a bound that only stops a hung test. Lines arrive in the order the server wrote them.
   */
  waitForLog(
    match: (entry: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * How long to wait for a start or a log line: only a hung server reaches it. A start that takes
 * under a second on a quiet machine took over 30 s at a load average of ~90 on two cores.
 */
const BOUND_MS = 120_000;

/** Starts the production build on an ephemeral 127.0.0.1 port; resolves when it logs its URL. */
export function startServerProcess(
  env: Record<string, string>,
  timeoutMs = BOUND_MS,
): Promise<ServerProcess> {
  return startListeningProcess(
    [process.execPath, ...PRODUCTION_NODE_FLAGS, serverBuild()],
    { ...PRODUCTION_ENV, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    timeoutMs,
  );
}

/**
 * Runs a command that starts the server (in apps/server, with `env` over this process's own);
 * resolves when the server logs its URL.
 */
export function startListeningProcess(
  [command, ...args]: [string, ...string[]],
  env: Record<string, string>,
  timeoutMs = BOUND_MS,
): Promise<ServerProcess> {
  const child = spawn(command, args, {
    cwd: SERVER_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const logWaiters = new Set<(entry: Record<string, unknown>) => void>();
  const waitForLog: ServerProcess['waitForLog'] = (match, timeoutMs = BOUND_MS) => {
    const found = logs.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = (entry: Record<string, unknown>) => {
        if (!match(entry)) return;
        clearTimeout(timer);
        logWaiters.delete(check);
        resolve(entry);
      };
      const timer = setTimeout(() => {
        logWaiters.delete(check);
        reject(new Error(`no matching log line in ${timeoutMs} ms`));
      }, timeoutMs);
      logWaiters.add(check);
    });
  };
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\n${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      for (const check of logWaiters) check(entry);
      if (entry.msg === 'listening' && typeof entry.url === 'string') {
        clearTimeout(timer);
        resolve({
          url: entry.url,
          child,
          logs,
          waitForLog,
          stop(signal = 'SIGTERM') {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
  });
}

/**
 * Runs the operator CLI (`pnpm parley …`) without blocking the event loop, and returns its output.
 * Prefer it to runCli in tests that also use fetch: while spawnSync blocks, undici cannot retire
 * pooled keep-alive sockets that the server closes (after 5 s idle), and the next request on
 * such a socket fails with "other side closed"; a cold CLI start on a busy machine takes that long.
 */
export function runCliAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), 'src/cli.ts', ...args], {
    cwd: SERVER_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: BOUND_MS,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the operator CLI (`pnpm parley …`) and returns its output (blocks: see runCliAsync). */
export function runCli(args: string[], env: Record<string, string>) {
  const result = spawnSync(NODE_TSX[0], [...NODE_TSX.slice(1), 'src/cli.ts', ...args], {
    cwd: SERVER_DIR,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: BOUND_MS,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A tRPC call over plain HTTP + JSON, as any client without the tRPC library would make it. */
export async function trpc(
  url: string,
  kind: 'query' | 'mutation',
  procedure: string,
  input: unknown,
  token?: string,
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const response =
    kind === 'query'
      ? await fetch(`${url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(`${url}/trpc/${procedure}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
  return { status: response.status, body: await response.json() };
}
