import { describe, expect, it } from 'vitest';
import {
  bar,
  pairedRatio,
  sizeLabel,
  type Comparison,
  type ScenarioFigures,
} from '../src/report.ts';

function figures(id: string, rps: number[], p99Ms = 10): ScenarioFigures {
  return {
    id,
    label: 'rename (REST, Florent)',
    target: id.split('@')[1] ?? '',
    rps: rps[0] ?? NaN,
    p50Ms: 5,
    p99Ms,
    peakRssMb: 100,
    rounds: rps.map((r) => ({ rps: r, p50Ms: 5, p99Ms, requests: r, seconds: 1 })),
  };
}

describe('paired ratios', () => {
  it('are the median of the per-round ratios', () => {
    // Round 2 ran while the machine was busy: both sides slowed, the ratio did not move.
    const parley = figures('rename.florent@parley', [1000, 500, 1100]);
    const baseline = figures('rename.florent@baseline', [2000, 1000, 2000]);
    expect(pairedRatio(parley, baseline)).toBe(0.5);
    expect(pairedRatio(parley, undefined)).toBeNaN();
  });
});

describe('the bars', () => {
  const comparison = (
    parleyRps: number,
    p99Ms: number,
    rssMb: number,
    trpcRps = parleyRps,
  ): Comparison => ({
    conversations: 1000,
    connections: 32,
    scenarios: [
      figures('rename.florent@parley', [parleyRps], p99Ms),
      figures('rename.florent@baseline', [1000], 20),
      figures('rename.trpc@parley', [trpcRps]),
    ],
    targets: { parley: { idleRssMb: 100, peakRssMb: rssMb, description: '' } },
    ratios: { 'parley/baseline': parleyRps / 1000, 'parley/naive': parleyRps / 250 },
    seedSeconds: 0,
  });

  it('say which are met: rename against both servers, p99 against the baseline, tRPC, memory', () => {
    expect(bar(comparison(600, 50, 150), undefined).every((l) => l.startsWith('met:'))).toBe(true);
    const lines = bar(comparison(400, 51, 250, 310), undefined);
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.startsWith('NOT met:'))).toBe(true);
  });

  it('hold a bar whose figure is missing as not met', () => {
    const c = comparison(600, 50, 150);
    c.scenarios = c.scenarios.filter((f) => f.target !== 'baseline');
    expect(bar(c, undefined).filter((l) => l.startsWith('NOT met:'))).toHaveLength(1);
  });
});

describe('size labels', () => {
  it('name round sizes shortly', () => {
    expect(sizeLabel(1_000)).toBe('1k');
    expect(sizeLabel(1_000_000)).toBe('1M');
    expect(sizeLabel(250_000)).toBe('250k');
    expect(sizeLabel(1_234)).toBe('1234');
  });
});
