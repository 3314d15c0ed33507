/**
 * The scale run (--scale): Parley alone at 1,000 and at --large stored conversations (most of
 * them other users'), the same rename, get and list pages at both sizes, and the query plans of
 * those operations on the large database.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { collectCursors } from './checks.ts';
import { explainHotQueries } from './explain.ts';
import { start, stop } from './lifecycle.ts';
import { measure } from './measure.ts';
import { parleyUnderLoad } from './parley.ts';
import { log, secondsSince } from './progress.ts';
import { sizeLabel, type ScaleRun } from './report.ts';
import {
  florentRename,
  getScenario,
  listScenario,
  searchScenario,
  subjectOf,
  type Scenario,
  type Subject,
} from './scenarios.ts';
import { seedDataDir, type SeededDatabase } from './seed.ts';
import type { Settings } from './settings.ts';
import { fmt, MB, ratio, round } from './stats.ts';

export async function runScale(settings: Settings, tmp: string): Promise<ScaleRun> {
  const sizes = [
    { conversations: 1_000, own: 1_000 },
    { conversations: settings.large, own: settings.largeOwn },
  ];
  const seeded: SeededDatabase[] = [];
  const seedSeconds: Record<string, number> = {};
  const databaseMb: Record<string, number> = {};
  const searchIndexMb: Record<string, number> = {};
  for (const size of sizes) {
    const since = performance.now();
    const db = await seedDataDir(path.join(tmp, `scale-${sizeLabel(size.conversations)}`), size);
    seeded.push(db);
    const label = `parley@${sizeLabel(size.conversations)}`;
    seedSeconds[label] = round(secondsSince(since), 1);
    databaseMb[label] = round(fileSize(db.file) / MB, 1);
    searchIndexMb[label] = round(searchIndexBytes(db.file) / MB, 1);
    log(
      `seeded ${fmt(size.conversations)} conversations (${fmt(size.own)} the user's) in ` +
        `${secondsSince(since).toFixed(1)} s: ${databaseMb[label]} MB`,
    );
  }
  const labels = seeded.map((db) => `parley@${sizeLabel(db.total)}`);
  const started = await Promise.all(
    seeded.map((db, i) => start(parleyUnderLoad(labels[i] ?? '', path.dirname(db.file), settings))),
  );
  const targets = new Map(started.map((t) => [t.name, t]));
  const subjects = new Map<string, Subject>();
  for (const [i, db] of seeded.entries()) {
    const target = started[i];
    const label = labels[i];
    if (!target || !label) continue;
    const subject = subjectOf(db);
    subject.cursors = await collectCursors(target.url, subject, 100);
    subjects.set(label, subject);
  }
  const scenarios: Scenario[] = [];
  for (const make of [florentRename, getScenario, listScenario, searchScenario]) {
    for (const label of labels) {
      const subject = subjects.get(label);
      if (subject) scenarios.push(make(label, subject));
    }
  }
  const figures = await measure(scenarios, targets, subjects, settings);
  const peakRssMb: Record<string, number> = {};
  for (const target of started) peakRssMb[target.name] = round((await stop(target)) / MB, 1);

  const [smallLabel, largeLabel] = labels;
  const ratios: ScaleRun['ratios'] = {};
  for (const op of ['rename.florent', 'get.trpc', 'list.trpc', 'search.trpc']) {
    const small = figures.find((f) => f.id === `${op}@${smallLabel}`);
    const big = figures.find((f) => f.id === `${op}@${largeLabel}`);
    if (!small || !big) continue;
    ratios[op] = {
      rpsSmallOverLarge: round(ratio(small.rps, big.rps), 3),
      p50LargeOverSmall: round(ratio(big.p50Ms, small.p50Ms), 3),
      p99LargeOverSmall: round(ratio(big.p99Ms, small.p99Ms), 3),
    };
  }

  const largeDb = seeded[1];
  const largeSubject = largeLabel ? subjects.get(largeLabel) : undefined;
  if (!largeDb || !largeSubject) throw new Error('no large database');
  const cursors = largeSubject.cursors ?? [];
  const queryPlans = await explainHotQueries(
    { file: largeDb.file },
    {
      key: largeDb.key,
      id: largeDb.ownIds[Math.floor(largeDb.ownIds.length / 2)] ?? '',
      cursor: cursors[Math.floor(cursors.length / 2)] || (cursors.at(-1) ?? ''),
    },
  );
  return {
    small: sizes[0]?.conversations ?? 0,
    large: settings.large,
    largeOwn: settings.largeOwn,
    scenarios: figures,
    ratios,
    peakRssMb,
    seedSeconds,
    databaseMb,
    searchIndexMb,
    queryPlans,
  };
}

/** Bytes the search indexes (FTS5 tables and their shadow tables) take in the file. */
function searchIndexBytes(file: string): number {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = sqlite
      .prepare(
        `SELECT SUM(pgsize) AS bytes FROM dbstat
         WHERE name LIKE 'ConversationTitleSearch%' OR name LIKE 'MessageSearch%'`,
      )
      .get() as { bytes: number | null };
    return row.bytes ?? 0;
  } finally {
    sqlite.close();
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return NaN;
  }
}
