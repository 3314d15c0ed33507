import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';

export { appRouter, createCaller, type AppRouter } from './root.ts';
export {
  createTRPCContext,
  type ApiDeps,
  type ApiLogger,
  type Context,
  type RequestAuth,
} from './trpc.ts';
export {
  localTitleGenerator,
  openAiTitleGenerator,
  titleFromText,
  type OpenAiTitleOptions,
  type TitleGenerator,
} from './titles/generator.ts';
export {
  actAs,
  createAuthenticator,
  type AuthConfig,
  type AuthenticatorOptions,
  type Authenticate,
  type Principal,
} from './auth/principal.ts';
export { createApiKey, ensureOrganization, ensureUser, revokeApiKey } from './auth/accounts.ts';
export { parseBearer } from './auth/api-keys.ts';
export {
  createSessionTokens,
  sessionIdentityOfApiKey,
  SESSION_SECRET_MIN_BYTES,
  SESSION_TTL_SECONDS,
  type SessionIdentity,
  type SessionTokens,
} from './auth/session-tokens.ts';
export { createDemoSession, DEMO_ORG } from './auth/demo.ts';
export {
  createInProcessEvents,
  type ConversationEvent,
  type ConversationEvents,
  type InProcessEvents,
} from './conversation/events.ts';
export { parseId, renderId, newId, type IdFormat } from './ids.ts';
export { normalizeTitle, countGraphemes, takeGraphemes, TITLE_MAX_GRAPHEMES } from './title.ts';
export * from './schemas.ts';
export type { ConversationDto, TitleSource } from './conversation/dto.ts';
export type { MessageDto } from './conversation/messages.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
