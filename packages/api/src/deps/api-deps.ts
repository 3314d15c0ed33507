/**
 * What the API needs from its host, built once per process: the database, the authenticator, the
 * live-change bus, the title generator and a logger. Services and trpc.ts both import these types
 * from here, so no service has to reach up to the tRPC layer for them.
 */
import type { Db } from '@parley/db';
import type { Authenticate } from '../auth/authenticator.ts';
import type { Principal } from '../auth/principal.ts';
import type { ConversationEvents } from './conversation-events.ts';
import type { TitleGenerator } from './title-generators.ts';

/** The slice of a pino logger the API uses; the host passes its own. */
export interface ApiLogger {
  warn(details: object, message: string): void;
}

/** What the API needs from its host, built once per process. */
export interface ApiDeps {
  db: Db;
  authenticate: Authenticate;
  /** Where writes announce themselves and subscriptions listen (in-process unless replaced). */
  events: ConversationEvents;
  /** Names conversations on request; defaults to the local, deterministic generator. */
  titleGenerator?: TitleGenerator | undefined;
  logger?: ApiLogger | undefined;
}

/** The credentials of one request. */
export interface RequestAuth {
  /** The raw `Authorization` header (the host may derive it from a session cookie). */
  authorization?: string | undefined;
  /** A caller already resolved by the host (a REST face acting for a user of the key's org). */
  principal?: Principal | undefined;
}
