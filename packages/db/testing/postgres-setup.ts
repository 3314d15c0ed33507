/**
 * Vitest globalSetup for the `postgres` test project: one PostgreSQL server for the whole run,
 * with a migrated template that each test file's database is copied from (createTestDatabase).
 */
import type { TestProject } from 'vitest/node';
import { prepareTemplateDatabase } from './database.ts';
import { startPostgresServer } from './postgres-server.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresServer();
  try {
    await prepareTemplateDatabase(server.url);
  } catch (error) {
    await server.destroy();
    throw error;
  }
  project.provide('parleyPostgresUrl', server.url);
  return () => server.destroy();
}
