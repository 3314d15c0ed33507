/**
 * Server lifecycle: open the database, apply pending migrations, listen; and on close, stop
 * accepting, let in-flight requests finish (up to a deadline), then close the database.
 */
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import {
  createApiDeps,
  createPostgresEvents,
  createSessionTokens,
  openAiTitleGenerator,
  type ConversationEvents,
  type PostgresEvents,
} from '@parley/api';
import { openDatabase, type DatabaseHandle } from '@parley/db';
import { migrateDeploy } from '@parley/db/migrate';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { startDemoCleanup } from './demo-cleanup.ts';
import { createApp } from './http/app.ts';
import { answerUnparseableRequests } from './http/errors.ts';
import type { HitCounter } from './http/limits.ts';
import { openAccessPrincipal } from './open-access.ts';
import { loadSessionSecret } from './session-secret.ts';

/** How long a just-accepted socket may take to deliver its request once shutdown starts. */
const IDLE_GRACE_MS = 1_000;

export interface RunningServer {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  /** Graceful: resolves once in-flight requests are done and the database is closed. */
  close(): Promise<void>;
}

/**
 * One of several worker processes (PARLEY_WORKERS): what it shares with the others, which the
 * cluster's primary provides (cluster/). Migrations are the primary's, applied before it forks.
 */
export interface WorkerLinks {
  /**
   * Live changes that reach every worker's subscribers, over the primary (SQLite). On PostgreSQL
   * there is none: each worker listens to PostgreSQL itself, as separate servers do.
   */
  events?: ConversationEvents | undefined;
  /** Rate-limit counts shared by every worker. */
  hitCounter: HitCounter;
}

/**
 * Opens the database and applies the migrations it has not seen yet. PostgreSQL unreachable:
 * openDatabase fails with a message naming DATABASE_URL (no password).
 */
export async function openMigratedDatabase(
  config: Config,
  logger: Logger,
): Promise<DatabaseHandle> {
  const database = await openDatabase(config.database);
  try {
    const applied = await migrateDeploy(database.target);
    logger.info(
      { provider: database.provider, database: database.description, applied },
      'database ready',
    );
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

export async function startServer(
  config: Config,
  logger: Logger,
  worker?: WorkerLinks,
): Promise<RunningServer> {
  const database = worker
    ? await openDatabase(config.database)
    : await openMigratedDatabase(config, logger);

  // The SQLite file's directory, or the data directory beside a PostgreSQL database.
  const secretDir = database.provider === 'sqlite' ? path.dirname(database.file) : config.dataDir;
  if (!config.session.secret) mkdirSync(secretDir, { recursive: true });
  const tokens = createSessionTokens(loadSessionSecret(config.session.secret, secretDir, logger));
  // Live updates reach the subscribers of every process on the database: on PostgreSQL through
  // LISTEN/NOTIFY, on SQLite those of this process or, with workers, of every worker
  // (cluster/relayed-events.ts). Titles come from the local generator unless an endpoint is
  // configured.
  let postgresEvents: PostgresEvents | undefined;
  if (database.provider === 'postgresql') {
    try {
      postgresEvents = await createPostgresEvents({ db: database.db, url: database.url, logger });
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  const deps = createApiDeps({
    db: database.db,
    events: postgresEvents ?? worker?.events,
    auth: { ...config.auth, sessions: tokens },
    titleGenerator: config.titles ? openAiTitleGenerator(config.titles) : undefined,
    autoTitles: config.autoTitles,
    logger,
  });
  const stopDemoCleanup = config.session.demo
    ? startDemoCleanup(database.db, config.session.demoTtlMs, logger)
    : () => undefined;
  // Off unless configured; while on, every start says so.
  const ragOpenAs = config.ragOpenAs && (await openAccessPrincipal(database.db, config.ragOpenAs));
  if (config.ragOpenAs) {
    logger.warn(
      { org: config.ragOpenAs.org, user: config.ragOpenAs.user },
      'PARLEY_RAG_OPEN_AS is on: the RAG face (/api/conversations) answers requests without credentials as this user',
    );
  }
  const app = createApp({
    deps,
    logger,
    bodyLimit: config.bodyLimit,
    trpcBodyLimitBytes: config.trpcBodyLimitBytes,
    importLimitBytes: config.importLimitBytes,
    rateLimits: config.rateLimits,
    hitCounter: worker?.hitCounter,
    corsOrigins: config.corsOrigins,
    trustProxy: config.trustProxy,
    webDist: config.env === 'production' ? config.webDist : undefined,
    session: { tokens, demo: config.session.demo, demoTtlMs: config.session.demoTtlMs },
    ragOpenAs,
  });
  // Slow or stalled clients cannot hold a connection open: a whole request within requestMs,
  // its headers within headersMs (Node's defaults are 300 s and 60 s, checked every 30 s).
  const server = http.createServer(
    {
      requestTimeout: config.timeouts.requestMs,
      headersTimeout: config.timeouts.headersMs,
      connectionsCheckingInterval: 1_000,
    },
    app,
  );
  answerUnparseableRequests(server, logger);
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  // A worker's line is its own; the primary says 'listening' once every worker does.
  logger.info({ url }, worker ? 'worker listening' : 'listening');

  // While shutting down, every response says Connection: close, so a keep-alive socket ends with
  // the request it carries instead of being cut while a request is still on its way.
  let draining = false;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      const closed = once(server, 'close');
      // Stop listening. http.Server#close would also drop idle sockets at once (Node 19+),
      // including ones just accepted whose request has not been read yet; net.Server#close
      // only stops accepting, and the sweep below closes idle sockets after a grace period.
      net.Server.prototype.close.call(server);
      // Live-update streams never finish by themselves: end them so they do not hold up the
      // drain (clients reconnect, to this server's successor).
      deps.events.close();
      // A socket accepted just before the signal may not have delivered its request yet and
      // would look idle; give such requests a moment before closing idle keep-alive sockets.
      let sweeping: NodeJS.Timeout | undefined;
      const sweep = setTimeout(() => {
        server.closeIdleConnections();
        sweeping = setInterval(() => server.closeIdleConnections(), 100);
      }, IDLE_GRACE_MS);
      let reachDeadline = () => undefined as void;
      const pastDeadline = new Promise<void>((resolve) => (reachDeadline = resolve));
      const deadline = setTimeout(() => {
        server.closeAllConnections();
        reachDeadline();
      }, config.shutdownTimeoutMs);
      await closed;
      clearTimeout(sweep);
      clearInterval(sweeping);
      stopDemoCleanup();
      // Work the requests started (automatic titles) finishes before the database closes, and
      // then the other processes hear of the last writes (PostgreSQL), within what is left of
      // the deadline.
      await Promise.race([deps.tasks.idle().then(() => postgresEvents?.settled()), pastDeadline]);
      clearTimeout(deadline);
      await database.close();
      logger.info('closed');
    })());

  return { url, close };
}
