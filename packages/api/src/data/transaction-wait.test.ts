/**
 * A transaction queued behind others waits for its connection as a plain query does, and one
 * that still runs out of time is a busy database (503), not a bug (500). Prisma's default gives a
 * transaction 2 s to get a connection: under load an append (one transaction) failed with a 500
 * while the plain queries beside it waited their turn.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_POOL_SIZE } from '@parley/db';
import { testDatabaseProvider } from '@parley/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { newId } from '../rules/ids.ts';
import { isDatabaseUnavailable } from './db-errors.ts';
import { insertMessages } from './statements.ts';

let h: Harness;
let userId: string;
let conversationId: string;

beforeAll(async () => {
  h = await createHarness();
  const alice = await h.user('acme', 'alice');
  userId = alice.userId;
  conversationId = (await alice.caller.conversation.create({ title: 'Queue' })).id;
});
afterAll(() => h.close());

/**
 * Transactions holding every connection there is (SQLite's one, the PostgreSQL pool's ten) until
 * `release` is called; resolves once all of them hold one.
 */
async function holdEveryConnection() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const count = testDatabaseProvider() === 'sqlite' ? 1 : DEFAULT_POOL_SIZE;
  const started: Promise<void>[] = [];
  const done: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    let holding!: () => void;
    started.push(new Promise<void>((resolve) => (holding = resolve)));
    done.push(
      h.db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        holding();
        await gate;
      }),
    );
  }
  await Promise.all(started);
  return async () => {
    release();
    await Promise.all(done);
  };
}

const message = () => ({
  id: newId(),
  conversationId,
  role: 'user',
  content: 'queued',
  createdAt: new Date(),
});

describe('a transaction behind others', () => {
  it('waits for a connection past Prisma’s default 2 s, and then is stored', async () => {
    const release = await holdEveryConnection();
    const queued = insertMessages(h.db, userId, [message()]).then(
      (stored) => stored?.messages.length,
      (error: unknown) => error,
    );
    // The time is the subject here: longer than Prisma's default wait, which failed the append.
    const early = await Promise.race([queued, delay(3_000).then(() => 'still waiting')]);
    await release();
    expect(early).toBe('still waiting');
    expect(await queued).toBe(1);
  });

  it('that still runs out of time is a busy database (503), not a bug', async () => {
    const release = await holdEveryConnection();
    const refused = await h.db
      .$transaction(() => Promise.resolve(), { maxWait: 50 })
      .then(() => undefined, (error: unknown) => error);
    await release();
    expect(refused).toMatchObject({ code: 'P2028' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
  });

  it('a transaction used after it closed stays a bug (500)', async () => {
    let leaked: Parameters<Parameters<typeof h.db.$transaction>[0]>[0] | undefined;
    await h.db.$transaction((tx) => {
      leaked = tx;
      return Promise.resolve();
    });
    const misuse = await leaked!.$queryRaw`SELECT 1`.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(misuse).toMatchObject({ code: 'P2028' });
    expect(isDatabaseUnavailable(misuse)).toBe(false);
  });
});
