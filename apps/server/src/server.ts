/**
 * Server lifecycle: open the database, apply pending migrations, listen; and on close, stop
 * accepting, let in-flight requests finish (up to a deadline), then close the database.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createAuthenticator, createInProcessEvents, createSessionTokens } from '@parley/api';
import { openDatabase } from '@parley/db';
import { migrateDeploy } from '@parley/db/migrate';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createApp } from './http/app.ts';
import { loadSessionSecret } from './session-secret.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  /** Graceful: resolves once in-flight requests are done and the database is closed. */
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await openDatabase(config.database);
  const applied = await migrateDeploy({ file: database.file });
  logger.info({ file: database.file, applied }, 'database ready');

  const tokens = createSessionTokens(
    loadSessionSecret(config.session.secret, path.dirname(database.file), logger),
  );
  // Live updates reach the subscribers of this process (one process per SQLite file).
  const events = createInProcessEvents();
  const deps = {
    db: database.db,
    authenticate: createAuthenticator(database.db, { ...config.auth, sessions: tokens }),
    events,
  };
  const app = createApp({
    deps,
    logger,
    webDist: config.env === 'production' ? config.webDist : undefined,
    session: { tokens, demo: config.session.demo },
    trustProxy: config.trustProxy,
  });
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  logger.info({ url }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = once(server, 'close');
      server.close();
      // Live-update streams never finish by themselves: end them so they do not hold up the drain
      // (clients reconnect, to this server's successor).
      events.close();
      // Keep-alive sockets that finish their request become idle; close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      clearTimeout(deadline);
      await database.close();
      logger.info('closed');
    })());

  return { url, close };
}
