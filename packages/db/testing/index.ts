/**
 * `@parley/db/testing`: what other packages' tests need of this one. The migration helpers
 * (migrations.ts) stay out: they register vitest hooks when imported and serve this package only.
 */
export {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  createTestDatabase,
  testDatabaseProvider,
  testPostgresUrl,
  type TestDatabase,
} from './database.ts';
export { startPostgresServer, type PostgresServer } from './postgres-server.ts';
