/**
 * The demo clean-up job: expired visitors go, on a timer, with what they own (which visitors are
 * old enough is tested in packages/api's demo-session.test.ts).
 */
import { createApiDeps, createDemoSession, DEMO_ORG } from '@parley/api';
import { createTestDatabase, type TestDatabase } from '@parley/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoCleanup } from '../src/demo-cleanup.ts';
import { createLogger } from '../src/logger.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe('demo clean-up', () => {
  it('deletes visitors older than the TTL on its timer, and logs it', async () => {
    const { db, events } = createApiDeps({ db: database.db });
    const visitors = () =>
      db.user.findMany({ where: { org: { slug: DEMO_ORG } }, select: { name: true } });
    const early = await createDemoSession(db, events);
    let logged = '';
    const logger = createLogger('info', { write: (line: string) => void (logged += line) });
    // A TTL of 1.5 s: the early visitor is gone within a few rounds; the bound only stops a hang.
    const stop = startDemoCleanup(db, 1_500, logger);
    try {
      await vi.waitFor(
        async () => expect((await visitors()).map((u) => u.name)).not.toContain(early.user),
        { timeout: 30_000, interval: 50 },
      );
      expect(logged).toContain('expired demo visitors deleted');
      expect(await db.conversation.count({ where: { user: { name: early.user } } })).toBe(0);
    } finally {
      stop();
    }
  });
});
