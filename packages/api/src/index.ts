/**
 * @parley/api: the tRPC router, its context and the services a host composes into a server. The
 * pure rules are also their own entry, @parley/api/rules, for code that must not load Prisma.
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';

export { appRouter, createCaller, type AppRouter } from './root.ts';
export { createTRPCContext, type Context } from './trpc.ts';
export {
  createApiDeps,
  type ApiDeps,
  type ApiDepsOptions,
  type ApiLogger,
  type RequestAuth,
} from './deps/api-deps.ts';
export {
  localTitleGenerator,
  openAiTitleGenerator,
  titleFromText,
  type OpenAiTitleOptions,
  type TitleGenerator,
} from './deps/title-generators.ts';
export {
  actAs,
  createAuthenticator,
  type AuthConfig,
  type AuthenticatorOptions,
  type Authenticate,
} from './auth/authenticator.ts';
export type { Principal } from './auth/principal.ts';
export {
  createApiKey,
  ensureOrganization,
  ensureUser,
  listApiKeys,
  revokeApiKey,
  type ApiKeyListing,
} from './auth/accounts.ts';
export {
  createSessionTokens,
  sessionIdentityOfApiKey,
  SESSION_SECRET_MIN_BYTES,
  SESSION_TTL_SECONDS,
  type SessionIdentity,
  type SessionTokens,
} from './auth/session-tokens.ts';
export { isDatabaseUnavailable } from './data/db-errors.ts';
export { createDemoSession, deleteExpiredDemoVisitors, DEMO_ORG } from './demo/demo-session.ts';
export {
  createInProcessEvents,
  type ConversationEvent,
  type ConversationEvents,
  type InProcessEvents,
} from './deps/conversation-events.ts';
export {
  createPostgresEvents,
  EVENTS_CHANNEL,
  type PostgresEvents,
  type PostgresEventsOptions,
} from './deps/postgres-events.ts';
export * from './rules/index.ts';
export * from './rules/schemas.ts';
export * from './rules/portability-schemas.ts';
export { EXPORT_FORMAT, EXPORT_VERSION, exportFileName } from './rules/export-format.ts';
export {
  exportAllConversations,
  openConversationExport,
  type ExportFormat,
} from './portability/export.ts';
export { importConversations, type ImportReport, type ImportSource } from './portability/import.ts';
export { ImportFileError, type FilePosition } from './portability/json-items.ts';
export type { ConversationDto, MessageDto, TitleSource } from './data/dto.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
