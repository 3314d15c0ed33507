/**
 * Work the API starts after it has answered (automatic titles): tracked, so that shutdown can let
 * it finish before the database closes, and tests can wait until nothing is left running instead
 * of sleeping. A task's failure is the task's own business: it is logged, never thrown at anyone.
 */
export interface BackgroundTasks {
  /** Starts `task` now; the caller does not wait for it. */
  run(name: string, task: () => Promise<void>): void;
  /** Resolves once every task started so far (and any they started) has settled. */
  idle(): Promise<void>;
}

export function createBackgroundTasks(logger: {
  warn(details: object, message: string): void;
}): BackgroundTasks {
  const running = new Set<Promise<void>>();
  return {
    run(name, task) {
      const settled = task()
        .catch((error: unknown) => logger.warn({ err: error, task: name }, `${name} failed`))
        .finally(() => running.delete(settled));
      running.add(settled);
    },
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
