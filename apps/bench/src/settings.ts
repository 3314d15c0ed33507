/** What a run of `pnpm bench` is asked to do: its command line, with the defaults filled in. */
import path from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `Usage: pnpm bench [--quick] [--scale] [--postgres] [options]
  --quick              short runs (the comparison finishes in under a minute)
  --scale              also measure Parley at 1,000 and at --large stored conversations
  --postgres           also measure Parley's scenarios on PostgreSQL, with 1 and 2 workers;
                       with --scale, the scale run on PostgreSQL too
  --connections <n>    concurrent connections (default 32)
  --seconds <n>        length of one measured round (default 8; quick 1)
  --rounds <n>         measured rounds per scenario; the median is reported (default 3; quick 2)
  --warmup <n>         seconds of warm-up load per scenario before the rounds (default 3; quick 1)
  --conversations <n>  conversations seeded for the comparison (default 1000)
  --large <n>          conversations in the scale run's large database (default 1000000)
  --wait-idle <min>    first wait up to <min> minutes for the machine's 1-minute load average to
                       fall below half its cores (other work skews the figures)
  --cpu-prof <dir>     run Parley's servers with node --cpu-prof, writing profiles to <dir>
  --no-save            do not write apps/bench/results/*.json`;

export interface Settings {
  mode: 'full' | 'quick';
  scale: boolean;
  postgres: boolean;
  connections: number;
  seconds: number;
  rounds: number;
  warmup: number;
  conversations: number;
  large: number;
  /** How many of the large database's conversations the benchmarked user owns. */
  largeOwn: number;
  save: boolean;
  /** Directory for CPU profiles of Parley's servers, if asked for. */
  cpuProf: string | undefined;
  /** Minutes to wait for a quiet machine before starting (0: start at once). */
  waitIdle: number;
  /** Parley's production bundle, built at the start of the run. */
  parleyEntry: string;
}

/** Everything the command line decides (the bundle is built once the options are known). */
export function settingsFrom(argv: string[]): Omit<Settings, 'parleyEntry'> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      scale: { type: 'boolean' },
      postgres: { type: 'boolean' },
      connections: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      conversations: { type: 'string' },
      large: { type: 'string' },
      'no-save': { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      'wait-idle': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const number = (value: string | undefined, fallback: number, min: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`bad value "${value}"\n${USAGE}`);
    return n;
  };
  const large = Math.round(number(values.large, 1_000_000, 1_000));
  return {
    mode: quick ? 'quick' : 'full',
    scale: values.scale ?? false,
    postgres: values.postgres ?? false,
    connections: Math.round(number(values.connections, 32, 1)),
    seconds: number(values.seconds, quick ? 1 : 8, 0.5),
    rounds: Math.round(number(values.rounds, quick ? 2 : 3, 1)),
    warmup: number(values.warmup, quick ? 1 : 3, 0),
    conversations: Math.round(number(values.conversations, 1_000, 20)),
    large,
    // Most rows are other users'; the benchmarked user owns 1% of them (10,000 at 1M).
    largeOwn: Math.max(1_000, Math.round(large / 100)),
    save: !(values['no-save'] ?? false),
    cpuProf: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    waitIdle: number(values['wait-idle'], 0, 0),
  };
}
