/**
 * What `pnpm bench` prints on stdout: the comparison's tables, the scale run's with its query
 * plans (on SQLite, and with --postgres on PostgreSQL, side by side), the bar, a line on the run
 * itself, and last the one-line summary that tools read.
 */
import { busyDuring, cores, formatLoad } from './machine.ts';
import {
  comparisonTable,
  databaseName,
  postgresTable,
  scaleDatabasesTable,
  scaleTable,
  targetsTable,
  type Comparison,
  type ScaleRun,
} from './report.ts';
import type { BenchRun } from './results.ts';
import { fmt, formatLastLine } from './stats.ts';

/** The last line, for Parley's REST rename (Florent). */
export function lastLineOf(comparison: Comparison): string {
  const parley = comparison.scenarios.find((f) => f.id === 'rename.florent@parley');
  return formatLastLine({
    parleyOverBaseline: comparison.ratios['parley/baseline'] ?? NaN,
    parleyOverNaive: comparison.ratios['parley/naive'] ?? NaN,
    p99Ms: parley?.p99Ms ?? NaN,
    rssMb: comparison.targets.parley?.peakRssMb ?? NaN,
  });
}

function scaleLines(scale: ScaleRun): string[] {
  const mb = (label: string) =>
    `${label} ${scale.databaseMb[label] ?? '?'} MB (search indexes ${scale.searchIndexMb[label] ?? '?'} MB; ` +
    `Conversation ${scale.tableMb[label]?.Conversation ?? '?'} MB), filled in ${scale.seedSeconds[label] ?? '?'} s`;
  const name = databaseName(scale.database);
  const out = [
    `## Scale on ${name} (Parley, ${fmt(scale.small)} vs ${fmt(scale.large)} conversations; the user owns ${fmt(scale.largeOwn)} of the latter)`,
    '',
    `Database: ${scale.server}`,
    '',
    scaleTable(scale),
    '',
    `Databases: ${Object.keys(scale.databaseMb).map(mb).join('; ')}`,
    '',
    `### Query plans on ${name} at ${fmt(scale.large)} conversations (SQL as Prisma sent it)`,
    '',
  ];
  for (const op of scale.queryPlans) {
    out.push(`${op.operation}:`);
    for (const s of op.statements) {
      out.push(`  ${s.sql.replace(/\s+/g, ' ')}`);
      for (const step of s.plan) out.push(`    ${step}`);
    }
    out.push('');
  }
  out.push(
    `Plan checks on ${name}:`,
    ...scale.planChecks.map((c) => `${c.ok ? 'met:    ' : 'NOT met:'} ${c.check}`),
    '',
  );
  return out;
}

/** Every line before the last one (the caller may add where the results were saved). */
export function summaryLines(run: BenchRun): string[] {
  const { comparison, scale, postgresScale, postgres, settings } = run;
  const out = [
    '',
    `## Comparison (${fmt(comparison.conversations)} conversations, ${settings.connections} connections, medians of ${settings.rounds} x ${settings.seconds} s)`,
    '',
    comparisonTable(comparison),
    '',
    targetsTable(comparison),
    '',
  ];
  if (postgres) {
    out.push(
      `## PostgreSQL (${fmt(postgres.conversations)} conversations; ${postgres.server})`,
      '',
      postgresTable(comparison, postgres),
      '',
    );
  }
  if (scale) out.push(...scaleLines(scale));
  if (postgresScale) out.push(...scaleLines(postgresScale));
  if (scale && postgresScale) {
    out.push(
      `## Scale: SQLite and PostgreSQL side by side`,
      '',
      scaleDatabasesTable([scale, postgresScale]),
      '',
    );
  }
  out.push('## The bars', '', ...run.bar, '');
  out.push(
    `Run took ${run.durationSeconds} s; load average ${formatLoad(run.loadBefore)} before, ` +
      `${formatLoad(run.loadAfter)} after on ${cores()} cores ` +
      '(the load generator and the server under test share them).',
  );
  if (busyDuring(run.loadBefore, run.loadAfter)) {
    out.push(
      'The machine was busy with other work during this run: take these figures as provisional.',
    );
  }
  return out;
}
