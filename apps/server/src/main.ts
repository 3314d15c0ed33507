/**
 * Entry point: `pnpm start` (production) or `pnpm dev`. One process serves, or with
 * PARLEY_WORKERS=N (N > 1) this one becomes the cluster's primary and N workers serve
 * (cluster/primary.ts); each worker runs this same file.
 */
import cluster from 'node:cluster';
import { databaseProvider } from '@parley/db';
import { clusterEventLink, createRelayedEvents } from './cluster/relayed-events.ts';
import { isParleyMessage, type ShutdownMessage } from './cluster/messages.ts';
import { runPrimary } from './cluster/primary.ts';
import { sharedHitCounter } from './cluster/shared-hits.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startServer, type RunningServer } from './server.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);

if (config.workers > 1 && cluster.isPrimary) {
  try {
    await runPrimary(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
} else {
  await serve();
}

/** Serves requests: the one process, or one worker of several. */
async function serve() {
  let server: RunningServer | undefined;
  let draining = false;
  const drain = () => {
    if (!server) return; // asked before listening: drained once started
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const shutdown = (reason: NodeJS.Signals | 'primary') => {
    if (draining) {
      // The primary's request repeats what a signal to the whole process group said already.
      if (reason === 'primary') return;
      logger.warn({ signal: reason }, 'second signal: exiting now');
      process.exit(1);
    }
    draining = true;
    logger.info(
      reason === 'primary' ? { by: reason } : { signal: reason },
      'shutting down: draining in-flight requests',
    );
    drain();
  };
  const listen = () => {
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  };
  // A worker may be told to stop while it starts (the cluster is shutting down): it drains once
  // started. A single process keeps Node's default until it listens: a signal ends it at once.
  if (cluster.isWorker) {
    listen();
    process.on('message', (message: unknown) => {
      if (isParleyMessage<ShutdownMessage>(message, 'shutdown')) shutdown('primary');
    });
  }

  try {
    server = await startServer(
      config,
      logger,
      cluster.isWorker
        ? {
            // On PostgreSQL each worker listens to PostgreSQL itself: no relay through the primary.
            events:
              databaseProvider(config.database) === 'sqlite'
                ? createRelayedEvents(clusterEventLink())
                : undefined,
            hitCounter: sharedHitCounter(),
          }
        : undefined,
    );
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
  if (draining) drain();
  else if (!cluster.isWorker) listen();
}
