/**
 * One measurement of a set of scenarios: one answer of each checked before any load, then each
 * primed (every connection open and a few requests answered, however long that takes: opening a
 * database connection on a loaded machine can take seconds, which a short timed round would
 * report as no request completed), a warm-up of each, then the rounds, each scenario in turn
 * within a round (so that a machine getting busier or quieter shifts every scenario alike); a
 * scenario's figures are the medians of its rounds.
 */
import { checkOnce } from './checks.ts';
import { runFailure, runLoad, type LoadOptions, type LoadResult } from './load.ts';
import type { Target } from './process.ts';
import { log } from './progress.ts';
import type { ScenarioFigures } from './report.ts';
import { headersFor, type Scenario, type Subject } from './scenarios.ts';
import type { Settings } from './settings.ts';
import { fmt, MB, median, round } from './stats.ts';

/** Requests per connection that prime a scenario before its warm-up and rounds. */
const PRIMING_REQUESTS = 4;

export type LoadSettings = Pick<Settings, 'connections' | 'seconds' | 'rounds' | 'warmup'>;

/** Checks one answer of each scenario, primes and warms each up, then runs the rounds in turn. */
export async function measure(
  scenarios: Scenario[],
  targets: Map<string, Target>,
  subjects: Map<string, Subject>,
  settings: LoadSettings,
): Promise<ScenarioFigures[]> {
  const targetOf = (s: Scenario) => {
    const target = targets.get(s.target);
    const subject = subjects.get(s.target);
    if (!target || !subject) throw new Error(`no target ${s.target}`);
    return { target, subject };
  };
  const load = async (
    s: Scenario,
    length: Pick<LoadOptions, 'seconds' | 'requests' | 'timeoutSeconds'>,
    what: string,
  ): Promise<LoadResult> => {
    const { target, subject } = targetOf(s);
    const result = await runLoad({
      url: target.url,
      connections: settings.connections,
      ...length,
      headers: headersFor(subject, s),
      next: () => s.next(),
      pid: target.pid,
    });
    const failure = runFailure(result);
    if (failure) throw new Error(`${s.id} (${what}): ${failure}`);
    return result;
  };

  for (const s of scenarios) {
    const { target, subject } = targetOf(s);
    const problem = await checkOnce(target.url, s, subject);
    if (problem) throw new Error(`wrong answer before any load: ${problem}`);
  }
  for (const s of scenarios) {
    await load(
      s,
      { seconds: 0, requests: settings.connections * PRIMING_REQUESTS, timeoutSeconds: 120 },
      'priming',
    );
  }
  if (settings.warmup > 0) {
    for (const s of scenarios) await load(s, { seconds: settings.warmup }, 'warm-up');
  }
  const results = new Map<string, LoadResult[]>(scenarios.map((s) => [s.id, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const s of scenarios) {
      const result = await load(s, { seconds: settings.seconds }, `round ${round}`);
      results.get(s.id)?.push(result);
      log(
        `  round ${round}/${settings.rounds}  ${s.id.padEnd(34)} ${fmt(result.rps).padStart(7)} req/s` +
          `  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms`,
      );
    }
  }
  return scenarios.map((s) => {
    const rounds = results.get(s.id) ?? [];
    return {
      id: s.id,
      label: s.label,
      target: s.target,
      rps: round(median(rounds.map((r) => r.rps)), 1),
      p50Ms: round(median(rounds.map((r) => r.p50)), 3),
      p99Ms: round(median(rounds.map((r) => r.p99)), 3),
      peakRssMb: round(Math.max(...rounds.map((r) => r.peakRss)) / MB, 1),
      rounds: rounds.map((r) => ({
        rps: round(r.rps, 1),
        p50Ms: round(r.p50, 3),
        p99Ms: round(r.p99, 3),
        requests: r.requests,
        seconds: r.seconds,
      })),
    };
  });
}
