/**
 * `pnpm bench:instructions`: the CPU instructions Parley's production server spends on one request
 * of each kind, counted by valgrind's callgrind. Requests per second on this machine move by
 * ±10-15% between runs of the same code; two versions counted one after the other differ only by
 * what changed (within about 1%), so a change worth a few percent shows here when the load test
 * cannot tell it from noise. Counts taken hours apart can differ more (docs/performance.md).
 *
 * The server is the production bundle with the start script's flags, under callgrind, with V8 made
 * repeatable (one thread, fixed hash and random seeds); requests come one at a time from this
 * process, outside valgrind, so only the server's work is counted. Every scenario runs twice from
 * a copy of the same seeded database, with the same warm-up, then `--requests` more requests in
 * the second run only: the difference divided by that number is one request, start-up and warm-up
 * cancelled out. It counts instructions, not time: system calls and waits on the disk are not in
 * it, and neither is the kernel's part of the socket work.
 *
 * `rename.florent@baseline`, `@naive` and `@node-http` count the reference servers' Florent
 * rename the same way (their flags and V8's made repeatable, no production flags), so the
 * comparison's ratios can be read without the machine's drift between two timed targets.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkOnce, collectCursors } from './checks.ts';
import { BASELINES, baselineSpec, type Baseline } from './comparison.ts';
import { buildParley, parleyTarget } from './parley.ts';
import { REPO_ROOT, startTarget } from './process.ts';
import { gitCommit, saveResults } from './results.ts';
import {
  florentRename,
  getScenario,
  listScenario,
  parleyScenarios,
  subjectOf,
  type Scenario,
  type Subject,
} from './scenarios.ts';
import { seedDatabase } from './seed.ts';
import { formatTable } from './stats.ts';

const DEFAULT_SCENARIOS = [
  'rename.florent',
  'rename.trpc',
  'create.florent',
  'get.trpc',
  'list.trpc',
];

const CALLGRIND = [
  'valgrind',
  '--tool=callgrind',
  '--callgrind-out-file=/dev/null',
  // V8 writes machine code into its heap: valgrind must notice code that changes.
  '--smc-check=all-non-file',
];
/** No background compiler or collector threads, no random hash seeds: the same work every run. */
const REPEATABLE_V8 = ['--single-threaded', '--predictable', '--hash-seed=1', '--random-seed=1'];
/** Start-up and shutdown under valgrind are some 50 times slower than without it. */
const START_TIMEOUT_MS = 600_000;

interface Options {
  scenarios: string[];
  requests: number;
  warmup: number;
  save: boolean;
}

function optionsFrom(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenarios: { type: 'string', default: DEFAULT_SCENARIOS.join(',') },
      requests: { type: 'string', default: '1000' },
      warmup: { type: 'string', default: '500' },
      'no-save': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'pnpm bench:instructions [--scenarios a,b] [--requests 1000] [--warmup 500] [--no-save]\n' +
        `scenarios: ${DEFAULT_SCENARIOS.join(', ')}, rename.orq, rename.rag, rename.dify, create.trpc;\n` +
        `the reference servers' rename: ${BASELINES.map((b) => `rename.florent@${b}`).join(', ')}`,
    );
    process.exit(0);
  }
  const count = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return {
    scenarios: values.scenarios.split(',').filter(Boolean),
    requests: count('requests', values.requests),
    warmup: count('warmup', values.warmup),
    save: !values['no-save'],
  };
}

/** Instructions the server executed in all, from its start to its exit. */
async function countRun(
  entry: string,
  template: string,
  seeded: Subject,
  scenarioId: string,
  requests: number,
): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-instructions-'));
  try {
    const file = path.join(dataDir, 'parley.db');
    copyFileSync(template, file);
    const lifecycle = {
      nodeArgs: REPEATABLE_V8,
      wrapper: CALLGRIND,
      stopGraceMs: START_TIMEOUT_MS,
    };
    const baseline = baselineOf(scenarioId);
    const target = await startTarget(
      baseline
        ? baselineSpec(baseline, file, lifecycle)
        : parleyTarget(scenarioId, entry, dataDir, lifecycle),
      START_TIMEOUT_MS,
    );
    try {
      const subject: Subject = { ...seeded };
      // Pages of the list scenario, through Parley's tRPC list (the reference servers have none).
      if (!baseline) subject.cursors = await collectCursors(target.url, subject, 5);
      const scenario = scenarioFor(scenarioId, subject);
      // The client is outside valgrind, so checking every answer costs the count nothing.
      for (let i = 0; i <= requests; i++) {
        const failure = await checkOnce(target.url, scenario, subject);
        if (failure) throw new Error(failure);
      }
    } finally {
      await target.stop();
    }
    const collected = /Collected : (\d+)/.exec(target.output())?.[1];
    if (!collected) throw new Error(`callgrind printed no total:\n${target.output()}`);
    return Number(collected);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The reference server a scenario id names (`rename.florent@naive`), or none for Parley's. */
function baselineOf(id: string): Baseline | undefined {
  const target = id.split('@')[1];
  if (target === undefined) return undefined;
  const baseline = BASELINES.find((b) => b === target);
  if (!baseline || !id.startsWith('rename.florent@')) {
    throw new Error(`no scenario ${id}; --help lists them`);
  }
  return baseline;
}

function scenarioFor(id: string, subject: Subject): Scenario {
  const baseline = baselineOf(id);
  if (baseline) return florentRename(baseline, subject);
  const all = [
    ...parleyScenarios(subject),
    getScenario('parley', subject),
    listScenario('parley', subject),
  ];
  const scenario = all.find((s) => s.id === `${id}@parley`);
  if (!scenario) throw new Error(`no scenario ${id}; --help lists them`);
  return scenario;
}

async function main(): Promise<void> {
  const options = optionsFrom(process.argv.slice(2));
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('valgrind is not installed (Debian: apt-get install -y valgrind)');
  }
  const startedAt = new Date();
  const commit = gitCommit();
  const entry = buildParley();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'parley-instructions-seed-'));
  try {
    const db = await seedDatabase(path.join(tmp, 'parley.db'), { conversations: 1_000 });
    const subject = subjectOf(db);
    const rows: { scenario: string; instructions: number }[] = [];
    for (const id of options.scenarios) {
      console.error(`counting ${id}: two runs under callgrind, a few minutes`);
      const [short, long] = await Promise.all([
        countRun(entry, db.file, subject, id, options.warmup),
        countRun(entry, db.file, subject, id, options.warmup + options.requests),
      ]);
      rows.push({ scenario: id, instructions: Math.round((long - short) / options.requests) });
    }
    console.log(
      formatTable(
        ['scenario', 'instructions per request'],
        rows.map((r) => [r.scenario, r.instructions.toLocaleString('en-US')]),
      ),
    );
    if (options.save) {
      const { scenarios, requests, warmup } = options;
      const report = { commit, node: process.version, scenarios, requests, warmup, rows };
      const file = saveResults(startedAt, 'instructions', report);
      console.error(`written ${path.relative(REPO_ROOT, file)}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
