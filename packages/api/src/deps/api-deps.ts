/**
 * What the API needs from its host, built once per process: the database, the authenticator, the
 * live-change bus, the title generator and a logger. Services and trpc.ts both import these types
 * from here, so no service has to reach up to the tRPC layer for them; and createApiDeps is the one
 * place they are put together (the server, its tests and the router tests all call it).
 */
import type { Db } from '@parley/db';
import { createAuthenticator, type AuthConfig, type Authenticate } from '../auth/authenticator.ts';
import type { Principal } from '../auth/principal.ts';
import { createBackgroundTasks, type BackgroundTasks } from './background-tasks.ts';
import { createInProcessEvents, type ConversationEvents } from './conversation-events.ts';
import type { TitleGenerator } from './title-generators.ts';

/** The slice of a pino logger the API uses; the host passes its own. */
export interface ApiLogger {
  warn(details: object, message: string): void;
}

/** Where the API logs when its host gives no logger. */
export const silentLogger: ApiLogger = { warn: () => undefined };

/** What the API needs from its host, built once per process (by createApiDeps). */
export interface ApiDeps {
  db: Db;
  authenticate: Authenticate;
  /** Where writes announce themselves and subscriptions listen (in-process unless replaced). */
  events: ConversationEvents;
  /** Names conversations on request; the tRPC context defaults it to the local generator. */
  titleGenerator?: TitleGenerator | undefined;
  /**
   * Name a conversation that still has its default title when a user message arrives (the
   * tRPC context defaults it to on; PARLEY_AUTO_TITLES=0 turns it off).
   */
  autoTitles?: boolean | undefined;
  /** Silent when absent. */
  logger?: ApiLogger | undefined;
  /** Work started after answering (automatic titles); shutdown waits for it. */
  tasks: BackgroundTasks;
}

export interface ApiDepsOptions extends Pick<
  ApiDeps,
  'db' | 'titleGenerator' | 'logger' | 'autoTitles'
> {
  /** How bearer tokens are verified: external session JWTs, and Parley's own (`sessions`). */
  auth?: AuthConfig | undefined;
  /** The live-change bus; a new in-process one when absent (one process per SQLite file). */
  events?: ConversationEvents | undefined;
}

/** The API's dependencies: the authenticator is built here, and the in-process bus unless given. */
export function createApiDeps({ db, auth = {}, events, ...rest }: ApiDepsOptions): ApiDeps {
  return {
    db,
    authenticate: createAuthenticator(db, auth),
    events: events ?? createInProcessEvents(),
    tasks: createBackgroundTasks(rest.logger ?? silentLogger),
    ...rest,
  };
}

/** The credentials of one request. */
export interface RequestAuth {
  /** The raw `Authorization` header (the host may derive it from a session cookie). */
  authorization?: string | undefined;
  /** A caller already resolved by the host (a REST face acting for a user of the key's org). */
  principal?: Principal | undefined;
}
