/**
 * End-to-end plumbing: the real production server as a child process (fresh data directory,
 * demo mode on, ephemeral port on 127.0.0.1) and Debian's Chromium driven by playwright-core.
 * Every wait is bounded; nothing here reaches beyond 127.0.0.1.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCliAsync, startServerProcess, trpc, type ServerProcess } from '@parley/server/testing';
import { chromium, type Browser } from 'playwright-core';

export const WEB_DIR = path.resolve(import.meta.dirname, '..');
export const ARTIFACTS = path.join(WEB_DIR, 'test-results');
const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export interface Stack {
  server: ServerProcess;
  browser: Browser;
  /** An API key of acme/alice, minted with the operator CLI while the server runs. */
  key: string;
  /** A tRPC call with the API key, as any HTTP client makes it. */
  api(kind: 'query' | 'mutation', procedure: string, input: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  if (!existsSync(path.join(WEB_DIR, 'dist/index.html'))) {
    throw new Error('apps/web/dist is missing: run `pnpm --filter @parley/web build` first.');
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (see README).`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-'));
  const env = {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_DEMO: '1',
    PARLEY_WEB_DIST: path.join(WEB_DIR, 'dist'),
    LOG_LEVEL: 'warn',
  };
  const server = await startServerProcess({ ...env, LOG_LEVEL: 'info' });
  const cli = await runCliAsync(['keys', 'create', '--org', 'acme', '--user', 'alice'], env);
  if (cli.code !== 0) throw new Error(`keys create failed: ${cli.stderr}`);
  const key = cli.stdout.trim().split('\n').at(-1)!;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    // playwright-core gives every launch a fresh, empty profile (user data directory).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // A host name other than 127.0.0.1 for the same server (plain-http.test.ts): Chromium
      // treats loopback addresses as secure, a LAN name such as parley.lan not.
      '--host-resolver-rules=MAP parley.test 127.0.0.1',
    ],
  });
  return {
    server,
    browser,
    key,
    async api(kind, procedure, input) {
      const { status, body } = await trpc(server.url, kind, procedure, input, key);
      if (status !== 200) throw new Error(`${procedure}: ${status} ${JSON.stringify(body)}`);
      return (body as { result: { data: any } }).result.data;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
