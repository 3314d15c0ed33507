/**
 * The router harness: a real, migrated SQLite database in a fresh temp directory, the API's
 * dependencies composed as the server composes them (createApiDeps), and callers acting as users.
 */
import type { Db } from '@parley/db';
import { createTestDatabase } from '@parley/db/testing';
import { createApiKey } from '../src/auth/accounts.ts';
import type { AuthConfig, Authenticate } from '../src/auth/authenticator.ts';
import { createApiDeps, type ApiDeps } from '../src/deps/api-deps.ts';
import type { BackgroundTasks } from '../src/deps/background-tasks.ts';
import { createInProcessEvents, type InProcessEvents } from '../src/deps/conversation-events.ts';
import { createCaller } from '../src/root.ts';
import { createTRPCContext } from '../src/trpc.ts';

export interface Harness {
  db: Db;
  authenticate: Authenticate;
  /** The live-change bus every caller of this harness publishes to. */
  events: InProcessEvents;
  /** Work started after answering (automatic titles): `await h.tasks.idle()` to let it finish. */
  tasks: BackgroundTasks;
  /**
   * A caller authenticated by the header, exactly as an HTTP request would be; `opts` replaces
   * some of the harness's dependencies for this caller (e.g. an authenticator on its own clock).
   */
  callerFor(
    authorization: string | undefined,
    opts?: { signal?: AbortSignal } & Partial<
      Pick<ApiDeps, 'authenticate' | 'titleGenerator' | 'logger' | 'autoTitles'>
    >,
  ): ReturnType<typeof createCaller>;
  /** A new user (and org, if new) with an API key; returns its caller and key. */
  user(
    org: string,
    name: string,
  ): Promise<{ caller: ReturnType<typeof createCaller>; key: string; userId: string }>;
  close(): Promise<void>;
}

export async function createHarness(auth: AuthConfig = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const events = createInProcessEvents();
  const deps = createApiDeps({ db: database.db, auth, events });
  const callerFor: Harness['callerFor'] = (authorization, { signal, ...extra } = {}) =>
    createCaller(createTRPCContext({ ...deps, ...extra }, { authorization }), { signal });
  return {
    db: database.db,
    authenticate: deps.authenticate,
    events,
    tasks: deps.tasks,
    callerFor,
    async user(org, name) {
      const created = await createApiKey(database.db, org, name);
      return {
        caller: callerFor(`Bearer ${created.key}`),
        key: created.key,
        userId: created.user.id,
      };
    },
    async close() {
      events.close();
      await deps.tasks.idle();
      await database.close();
    },
  };
}
