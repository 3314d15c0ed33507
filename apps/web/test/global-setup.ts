/**
 * Runs once before the browser test files: a data directory whose database is migrated and holds
 * an API key of acme/alice minted by the operator CLI. Each file's stack starts its server on a
 * copy of it (a fresh database per file) instead of paying for the migration and a cold CLI again:
 * on a loaded two-core machine the two cost some 10 s per file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCliAsync } from '@parley/server/testing';
import type { TestProject } from 'vitest/node';

export interface DataTemplate {
  dataDir: string;
  /** The API key the CLI printed (alone, on its last line). */
  key: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    dataTemplate: DataTemplate;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-template-'));
  // A cold CLI can pass runCliAsync's 60 s bound while the whole suite loads two cores (seen:
  // killed, exit code null, no output); killed is tried again, a refusal is not.
  let cli = { code: null as number | null, stdout: '', stderr: '' };
  for (let attempt = 1; attempt <= 3 && cli.code === null; attempt++) {
    cli = await runCliAsync(['keys', 'create', '--org', 'acme', '--user', 'alice'], {
      PARLEY_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    });
  }
  if (cli.code !== 0) throw new Error(`keys create failed: ${cli.stderr}`);
  project.provide('dataTemplate', { dataDir, key: cli.stdout.trim().split('\n').at(-1)! });
  return () => rmSync(dataDir, { recursive: true, force: true });
}
