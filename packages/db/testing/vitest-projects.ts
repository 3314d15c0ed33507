/**
 * The two vitest projects of a package whose tests run on both databases: `sqlite` and
 * `postgres` over one set of test files (PARLEY_TEST_DB tells createTestDatabase which), the
 * PostgreSQL one with the run's test PostgreSQL started by postgres-setup.ts. Each package says
 * only which files run on one database alone.
 */
import path from 'node:path';
import { configDefaults, type TestProjectInlineConfiguration } from 'vitest/config';

export interface DatabaseProjectFiles {
  /** Globs of the files each project runs (vitest's default when absent). */
  include?: string[];
  /** Globs of the files it leaves out, beside vitest's default exclusions. */
  exclude?: string[];
}

const POSTGRES_SETUP = path.join(import.meta.dirname, 'postgres-setup.ts');

export function databaseProjects(files: {
  sqlite?: DatabaseProjectFiles;
  postgres?: DatabaseProjectFiles;
}): TestProjectInlineConfiguration[] {
  const project = (
    name: 'sqlite' | 'postgres',
    { include, exclude = [] }: DatabaseProjectFiles = {},
  ): TestProjectInlineConfiguration => ({
    extends: true,
    test: {
      name,
      ...(include ? { include } : {}),
      exclude: [...configDefaults.exclude, ...exclude],
      env: { PARLEY_TEST_DB: name },
      ...(name === 'postgres' ? { globalSetup: [POSTGRES_SETUP] } : {}),
    },
  });
  return [project('sqlite', files.sqlite), project('postgres', files.postgres)];
}
