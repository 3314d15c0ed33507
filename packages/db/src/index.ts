export {
  BUSY_TIMEOUT_MS,
  createSqliteAdapter,
  databaseLocationFromEnv,
  openDatabase,
  resolveSqlitePath,
  type DatabaseHandle,
  type DatabaseLocation,
  type Db,
} from './client.ts';
export { Prisma } from './generated/prisma/client.ts';
export type {
  ApiKey,
  Conversation,
  Message,
  Organization,
  User,
} from './generated/prisma/client.ts';
