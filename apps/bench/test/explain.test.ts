/**
 * The scale run ends with the query plans of Parley's hot queries; this checks, on a small
 * SQLite database, that the capture still sees the SQL Prisma sends through the router and that
 * the plans pass checkPlans, so a change in the router or the adapter shows up here rather than
 * at the end of a long run. (PostgreSQL's: postgres.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiDeps, createCaller, createInProcessEvents, createTRPCContext } from '@parley/api';
import { openDatabase } from '@parley/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPlans, explainHotQueries, type OperationPlans } from '../src/explain.ts';
import { seedDatabase } from '../src/seed.ts';

let dir: string;
let plans: OperationPlans[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-explain-'));
  const seeded = await seedDatabase(path.join(dir, 'parley.db'), {
    conversations: 300,
    own: 100,
    otherUsers: 5,
  });
  // Cursors are opaque: take one from a real first page.
  const database = await openDatabase({ url: `file:${seeded.file}` });
  const events = createInProcessEvents();
  const api = createCaller(
    createTRPCContext(createApiDeps({ db: database.db, events }), {
      authorization: `Bearer ${seeded.key}`,
    }),
  );
  const page = await api.conversation.list({ limit: 20 });
  events.close();
  await database.close();
  plans = await explainHotQueries(
    { file: seeded.file },
    {
      key: seeded.key,
      id: seeded.ownIds[50] ?? '',
      cursor: page.nextCursor ?? '',
    },
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('query plans of the hot queries', () => {
  it('cover rename, get, both kinds of list page and a search', () => {
    expect(plans.map((p) => p.operation.split(' (')[0])).toEqual([
      'rename',
      'get',
      'list, first page',
      'list, keyset page',
      'search',
    ]);
  });

  it('hold the SQL Prisma sent and a plan for each statement', () => {
    const rename = plans[0]?.statements ?? [];
    expect(rename.some((s) => /^\s*UPDATE\b[\s\S]*"?Conversation"?/i.test(s.sql))).toBe(true);
    for (const { statements } of plans) {
      expect(statements.filter((s) => /Conversation/.test(s.sql)).length).toBeGreaterThan(0);
      for (const s of statements) expect(s.plan.length).toBeGreaterThan(0);
    }
  });

  it('pass every check: indexes searched, keyset pages seek, search reads FTS5 first', () => {
    const checks = checkPlans(plans, 'sqlite');
    expect(checks.map((c) => c.check)).toContain(
      'list, keyset page: seeks (userId, updatedAt, id) to the cursor',
    );
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('fail a check when a keyset page scans instead of seeking', () => {
    const scanned = plans.map((p) => ({
      ...p,
      statements: p.statements.map((s) => ({
        ...s,
        plan: s.plan.map((step) =>
          step.replace(/\(userId=\? AND \(updatedAt,id\)<\(\?,\?\)\)/, '(userId=?)'),
        ),
      })),
    }));
    expect(
      checkPlans(scanned, 'sqlite')
        .filter((c) => !c.ok)
        .map((c) => c.check),
    ).toEqual(['list, keyset page: seeks (userId, updatedAt, id) to the cursor']);
  });
});
