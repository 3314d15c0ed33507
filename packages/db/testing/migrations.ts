// Helpers for the migration tests: real temp directories and SQLite files, no mocks.
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import Database from 'better-sqlite3';
import { DEFAULT_MIGRATIONS_DIR, DEFAULT_SCHEMA_PATH } from '../src/migrate/index.ts';

export const PACKAGE_DIR = fileURLToPath(new URL('../', import.meta.url));
export const CLI_PATH = fileURLToPath(new URL('../src/migrate/cli.ts', import.meta.url));

const created: string[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temp directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-migrate-test-'));
  created.push(dir);
  return dir;
}

/** A copy of the package's schema and migrations in a temp directory, free to modify. */
export async function copyOfSources(): Promise<{ schemaPath: string; migrationsDir: string }> {
  const dir = await tempDir();
  const schemaPath = path.join(dir, 'schema.prisma');
  const migrationsDir = path.join(dir, 'migrations');
  await copyFile(DEFAULT_SCHEMA_PATH, schemaPath);
  await cp(DEFAULT_MIGRATIONS_DIR, migrationsDir, { recursive: true });
  return { schemaPath, migrationsDir };
}

/** Edits a file in place. */
export async function edit(file: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  await writeFile(file, after);
}

/** Runs a read-only query on a SQLite file with a short-lived connection. */
export function query<T>(file: string, sql: string): T[] {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return sqlite.prepare(sql).all() as T[];
  } finally {
    sqlite.close();
  }
}

export function tableNames(file: string): string[] {
  return query<{ name: string }>(
    file,
    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
  ).map((row) => row.name);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the migrate CLI in a child process, the way `pnpm migrate:*` does (tsx). */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI_PATH, ...args],
      { cwd: PACKAGE_DIR, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
