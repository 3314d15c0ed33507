/**
 * PARLEY_WORKERS=N (N > 1): this process becomes the cluster's primary. It applies pending
 * migrations once, before any worker exists (workers never race for them), then forks N workers
 * that share the one listening port (node:cluster hands out connections round robin). It serves
 * no requests itself; it relays live-change events between workers (on SQLite; on PostgreSQL
 * each worker listens to PostgreSQL itself), holds the rate-limit counts they share, replaces a
 * worker that dies, and on SIGTERM or SIGINT has every worker drain and then exits 0.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { localHitCounter } from '../http/limits.ts';
import { openMigratedDatabase } from '../server.ts';
import { createCrashBudget, MAX_WORKER_DEATHS, WORKER_DEATH_WINDOW_MS } from './crash-budget.ts';
import { isParleyMessage, type EventMessage, type HitsMessage, type ToWorker } from './messages.ts';

export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  // Migrations and the WAL journal mode (which every worker's connection then finds set).
  const database = await openMigratedDatabase(config, logger);
  await database.close();

  const counter = localHitCounter();
  const budget = createCrashBudget();
  const workers = new Set<Worker>();
  const listening = new Set<Worker>();
  let started = false;
  let stopping = false;
  let exitCode = 0;

  const send = (worker: Worker, message: ToWorker) => {
    if (!worker.isConnected()) return;
    try {
      worker.send(message);
    } catch {
      // The worker is going away; its exit is handled below.
    }
  };

  const fork = () => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.on('message', (message: unknown) => {
      if (isParleyMessage<EventMessage>(message, 'event')) {
        for (const other of workers) if (other !== worker) send(other, message);
      } else if (isParleyMessage<HitsMessage>(message, 'hits')) {
        void counter(message.hits).then((counts) =>
          send(worker, { parley: 'counts', id: message.id, counts }),
        );
      }
    });
    return worker;
  };

  const stop = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const worker of workers) send(worker, { parley: 'shutdown' });
    if (workers.size === 0) finish();
  };
  const finish = () => {
    logger.info({ code: exitCode }, 'closed');
    process.exit(exitCode);
  };

  cluster.on('listening', (worker, address) => {
    if (listening.has(worker) || !workers.has(worker)) return;
    listening.add(worker);
    if (started) {
      logger.info({ worker: worker.process.pid }, 'replacement worker listening');
    } else if (listening.size === config.workers) {
      started = true;
      const host = address.addressType === 6 ? `[${address.address}]` : address.address;
      logger.info({ url: `http://${host}:${address.port}`, workers: config.workers }, 'listening');
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    workers.delete(worker);
    listening.delete(worker);
    const details = { worker: worker.process.pid, code, signal };
    if (stopping) {
      // Drained (0), or cut short: the primary's own exit says whether every worker drained.
      if (code !== 0) exitCode = 1;
      logger.info(details, 'worker exited');
      if (workers.size === 0) finish();
      return;
    }
    if (!started) {
      // A worker that cannot start (the port is taken, the database cannot be opened) would
      // fail again: stop the others and report it instead of replacing it.
      logger.fatal(details, 'a worker failed to start');
      stop(1);
      return;
    }
    if (!budget.spend(Date.now())) {
      logger.fatal(
        { ...details, deaths: MAX_WORKER_DEATHS + 1, windowMs: WORKER_DEATH_WINDOW_MS },
        'workers keep dying: giving up',
      );
      stop(1);
      return;
    }
    logger.error(details, 'worker died; starting a replacement');
    fork();
  });

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // As a single process does: a second signal means "now"; the workers, whose channel to
      // this process closes, exit with it.
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal, workers: workers.size }, 'shutting down: draining in-flight requests');
    stop(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  logger.info({ workers: config.workers }, 'starting workers');
  for (let i = 0; i < config.workers; i++) fork();
}
