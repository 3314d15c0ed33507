/**
 * How many unexpected worker deaths the primary replaces before it concludes that replacing is
 * futile (a worker that dies at every start, a database gone bad) and gives up, instead of
 * restarting workers in a tight loop for ever: more than MAX_DEATHS deaths within WINDOW_MS.
 */
export const MAX_WORKER_DEATHS = 5;
export const WORKER_DEATH_WINDOW_MS = 60_000;

export interface CrashBudget {
  /** Records a death at `now`; false once the deaths within the window exceed the budget. */
  spend(now: number): boolean;
}

export function createCrashBudget(
  maxDeaths = MAX_WORKER_DEATHS,
  windowMs = WORKER_DEATH_WINDOW_MS,
): CrashBudget {
  const deaths: number[] = [];
  return {
    spend(now) {
      deaths.push(now);
      while (deaths.length > 0 && deaths[0]! <= now - windowMs) deaths.shift();
      return deaths.length <= maxDeaths;
    },
  };
}
