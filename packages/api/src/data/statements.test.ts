import { testDatabaseProvider } from '@parley/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { newId } from '../rules/ids.ts';
import { insertConversation, type NewConversation } from './statements.ts';

let h: Harness;
let owner: { orgId: string; userId: string };

beforeAll(async () => {
  h = await createHarness();
  const alice = await h.user('acme', 'alice');
  const user = await h.db.user.findUniqueOrThrow({ where: { id: alice.userId } });
  owner = { orgId: user.orgId, userId: user.id };
});
afterAll(() => h.close());

const row = (at: Date): NewConversation => ({
  id: newId(),
  ...owner,
  title: 'T',
  titleSource: 'user',
  model: 'default',
  userDisplay: null,
  timezone: null,
  idempotencyKey: null,
  createdAt: at,
  updatedAt: at,
  createdById: owner.userId,
  updatedById: owner.userId,
});

describe('raw statements', () => {
  // Keyset pages compare stored times as text, and databases written by earlier versions hold
  // times the model API stored (as do the benchmark's seeds), so the two must agree to the
  // character.
  it('store times in the same text as the model API', async () => {
    const at = new Date('2026-11-23T17:00:00.123Z');
    const raw = await insertConversation(h.db, row(at));
    const model = await h.db.conversation.create({ data: row(at) });
    const stored = await h.db.$queryRaw<{ id: string; createdAt: string; updatedAt: string }[]>`
      SELECT "id", CAST("createdAt" AS TEXT) AS "createdAt", CAST("updatedAt" AS TEXT) AS "updatedAt"
      FROM "Conversation" WHERE "id" IN (${raw.id}, ${model.id})`;
    expect(stored).toHaveLength(2);
    const texts = new Set(stored.flatMap((r) => [r.createdAt, r.updatedAt]));
    // PostgreSQL stores an instant (timestamptz) and prints it in the session's time zone.
    expect([...texts]).toEqual([
      testDatabaseProvider() === 'sqlite'
        ? '2026-11-23T17:00:00.123+00:00'
        : expect.stringMatching(/^2026-11-2\d \d\d:00:00\.123[+-]\d\d/),
    ]);
  });

  it('insertConversation returns the row with the counters at their defaults', async () => {
    const at = new Date();
    const inserted = await insertConversation(h.db, row(at));
    expect(inserted).toMatchObject({ version: 1, messageCount: 0, lastMessageAt: null });
    expect(inserted.createdAt).toEqual(at);
    expect(await h.db.conversation.findUnique({ where: { id: inserted.id } })).toEqual(inserted);
  });
});
