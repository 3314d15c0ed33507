/**
 * End-to-end plumbing: the real production server as a child process (a fresh copy of a migrated
 * data directory, demo mode on, ephemeral port on 127.0.0.1) and Debian's Chromium driven by
 * playwright-core. Every wait is bounded; nothing here reaches beyond 127.0.0.1.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServerProcess, trpc, type ServerProcess } from '@parley/server/testing';
import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';

export const WEB_DIR = path.resolve(import.meta.dirname, '..');
export const ARTIFACTS = path.join(WEB_DIR, 'test-results');
const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export interface Stack {
  server: ServerProcess;
  browser: Browser;
  /** An API key of acme/alice, minted with the operator CLI (global-setup.ts). */
  key: string;
  /** A tRPC call with the API key, as any HTTP client makes it. */
  api(kind: 'query' | 'mutation', procedure: string, input: unknown): Promise<any>;
  close(): Promise<void>;
  /** Stops the server process (SIGTERM, as an operator does): every page's connections drop. */
  stopServer(): Promise<void>;
  /** Starts the server process again on the same port and data directory. */
  startServer(): Promise<void>;
  /**
   * Another server process on the same data directory, on a port of its own: what it writes is in
   * the database, but only its own subscribers hear of it (live events stay in their process).
   * Stopped by close().
   */
  startPeer(): Promise<ServerProcess>;
}

export async function startStack(): Promise<Stack> {
  if (!existsSync(path.join(WEB_DIR, 'dist/index.html'))) {
    throw new Error('apps/web/dist is missing: run `pnpm --filter @parley/web build` first.');
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (see README).`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  // A copy of the migrated database with its CLI-minted key (global-setup.ts): fresh per file.
  const template = inject('dataTemplate');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-'));
  cpSync(template.dataDir, dataDir, { recursive: true });
  const env = {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_DEMO: '1',
    PARLEY_WEB_DIST: path.join(WEB_DIR, 'dist'),
    LOG_LEVEL: 'warn',
  };
  const launched = chromium.launch({
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
  // Chromium starts while the server does.
  const [first, browser] = await Promise.all([
    startServerProcess({ ...env, LOG_LEVEL: 'info' }),
    launched,
  ]);
  let server = first;
  const port = new URL(server.url).port;
  const peers: ServerProcess[] = [];
  const { key } = template;
  return {
    get server() {
      return server;
    },
    browser,
    key,
    async api(kind, procedure, input) {
      const { status, body } = await trpc(server.url, kind, procedure, input, key);
      if (status !== 200) throw new Error(`${procedure}: ${status} ${JSON.stringify(body)}`);
      return (body as { result: { data: any } }).result.data;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await Promise.all(peers.map((peer) => peer.stop('SIGTERM')));
      await server.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
    async stopServer() {
      await server.stop('SIGTERM');
    },
    async startServer() {
      server = await startServerProcess({ ...env, LOG_LEVEL: 'info', PORT: port });
    },
    async startPeer() {
      const peer = await startServerProcess({ ...env, LOG_LEVEL: 'info' });
      peers.push(peer);
      return peer;
    },
  };
}

/**
 * Polls `check` until it returns a truthy value; fails after `timeoutMs`, a bound that only stops a
 * hung test (a loaded two-core machine can take seconds for what takes milliseconds when idle).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 20_000,
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
