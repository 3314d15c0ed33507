/**
 * The scale run ends with the query plans of Parley's hot queries; this checks, on a small
 * database, that the capture still sees the SQL Prisma sends through the router, so a change in
 * the router or the adapter shows up here rather than at the end of a long run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiDeps, createCaller, createInProcessEvents, createTRPCContext } from '@parley/api';
import { openDatabase } from '@parley/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainHotQueries, type OperationPlans } from '../src/explain.ts';
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
  plans = await explainHotQueries(seeded.file, {
    key: seeded.key,
    id: seeded.ownIds[50] ?? '',
    cursor: page.nextCursor ?? '',
  });
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
      const conversation = statements.filter((s) => /Conversation/.test(s.sql));
      expect(conversation.length).toBeGreaterThan(0);
      for (const s of conversation) expect(s.plan.join('\n')).toMatch(/SEARCH .*Conversation/);
    }
  });

  it('seek a keyset page in the index, not scan the rows before it', () => {
    const page = plans[3]?.statements.find((s) => /Conversation/.test(s.sql));
    expect(page?.plan.join('\n')).toMatch(
      /USING INDEX \S+ \(userId=\? AND \(updatedAt,id\)<\(\?,\?\)\)/,
    );
  });
});

describe('the query plan of a search', () => {
  // Read the other way round (the caller's rows, then a MATCH for each), a word in every title
  // took 30 s instead of 0.26 s at 100,000 conversations.
  it('reads the FTS5 index first, then each row it finds', () => {
    const search = plans[4]?.statements.find((s) => /MATCH/.test(s.sql));
    const plan = search?.plan.map((step) => step.trim()) ?? [];
    const index = plan.indexOf('SCAN ConversationTitleSearch VIRTUAL TABLE INDEX 0:M1');
    expect(index, plan.join('\n')).toBeGreaterThanOrEqual(0);
    expect(plan[index + 1]).toBe('SEARCH c USING INTEGER PRIMARY KEY (rowid=?)');
  });
});
