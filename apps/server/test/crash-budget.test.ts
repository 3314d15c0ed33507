import { describe, expect, it } from 'vitest';
import {
  createCrashBudget,
  MAX_WORKER_DEATHS,
  WORKER_DEATH_WINDOW_MS,
} from '../src/cluster/crash-budget.ts';

describe('the crash budget of a cluster primary', () => {
  it('replaces up to MAX deaths within the window, and gives up at the next', () => {
    const budget = createCrashBudget();
    for (let i = 0; i < MAX_WORKER_DEATHS; i++) expect(budget.spend(1_000 + i)).toBe(true);
    expect(budget.spend(2_000)).toBe(false);
  });

  it('forgets deaths older than the window', () => {
    const budget = createCrashBudget(2, 1_000);
    expect(budget.spend(0)).toBe(true);
    expect(budget.spend(500)).toBe(true);
    expect(budget.spend(1_000)).toBe(true); // the death at 0 has left the window
    expect(budget.spend(1_400)).toBe(false);
    expect(WORKER_DEATH_WINDOW_MS).toBeGreaterThan(0);
  });
});
