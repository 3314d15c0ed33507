export {
  BUSY_TIMEOUT_MS,
  DEFAULT_POOL_SIZE,
  DatabaseUnreachableError,
  UnsupportedDatabaseUrlError,
  createPostgresAdapter,
  createSqliteAdapter,
  dataDirFromEnv,
  databaseLocationFromEnv,
  databaseProvider,
  openDatabase,
  openSqlite,
  postgresConnectionOptions,
  redactUrl,
  resolveSqlitePath,
  type DatabaseHandle,
  type DatabaseLocation,
  type DatabaseProvider,
  type Db,
  type PostgresHandle,
  type SqliteHandle,
} from './client.ts';
export {
  listenForNotifications,
  type NotificationListener,
  type NotificationListenerOptions,
} from './notifications.ts';
export { Prisma } from './generated/prisma/client.ts';
export type {
  ApiKey,
  Conversation,
  Message,
  Organization,
  User,
} from './generated/prisma/client.ts';
