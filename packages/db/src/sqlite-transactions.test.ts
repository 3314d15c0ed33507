/**
 * Transactions on the SQLite driver adapter, which Parley patches
 * (patches/@prisma__adapter-better-sqlite3@7.10.0.patch). The adapter serves every query of a
 * process on one connection, and several processes (PARLEY_WORKERS) share the file:
 * - a query outside a transaction must not run inside another request's open transaction
 *   (stock adapter: it did, so a rollback undid an acknowledged write);
 * - a transaction that reads before it writes must wait for another process's write lock
 *   (stock adapter: a deferred BEGIN failed with SQLITE_BUSY at once, no busy timeout);
 * - a failed COMMIT must not leave the connection inside its transaction.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteTestDatabase } from '../testing/database.ts';

// The patch is the SQLite adapter's: PostgreSQL runs each transaction on a connection of its own.
let database: Awaited<ReturnType<typeof createSqliteTestDatabase>>;
beforeAll(async () => {
  database = await createSqliteTestDatabase();
});
afterAll(() => database.close());

const orgIds = async () =>
  (await database.db.organization.findMany({ select: { id: true } })).map((o) => o.id);

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

describe('transactions on the one SQLite connection', () => {
  it('a write made meanwhile outside the transaction is neither inside it nor undone by its rollback', async () => {
    const { db } = database;
    const entered = signal();
    const gate = signal();
    const transaction = db
      .$transaction(async (tx) => {
        await tx.organization.create({ data: { id: 'o-inside', slug: 'inside' } });
        entered.fire();
        await gate.promise;
        throw new Error('the request failed: roll back');
      })
      .catch((error: Error) => error.message);
    await entered.promise;
    // Another request's write while the transaction is open. With the fix it waits for the
    // transaction to end, so there is no event to wait for: the gate opens once it is done or
    // after a while. The outcome checked below does not depend on which comes first.
    const outside = db.organization.create({ data: { id: 'o-outside', slug: 'outside' } });
    const dirtyRead = db.organization.count({ where: { id: 'o-inside' } });
    await Promise.race([Promise.all([outside, dirtyRead]), new Promise((r) => setTimeout(r, 500))]);
    gate.fire();

    expect(await transaction).toBe('the request failed: roll back');
    await outside;
    // The rolled-back row was never visible outside its transaction.
    expect(await dirtyRead).toBe(0);
    expect(await orgIds()).toContain('o-outside');
    expect(await orgIds()).not.toContain('o-inside');
  });

  it('a transaction that reads before it writes waits for another process’s write lock', async () => {
    const { db, file } = database;
    // The other process: a thread with a connection of its own that holds the write lock
    // (BEGIN IMMEDIATE) until told to let go, or for 500 ms at most, since this thread is blocked
    // while SQLite waits for the lock (the busy timeout, 5 s) and cannot tell it.
    const holder = new Worker(
      `
      const { parentPort, workerData } = require('node:worker_threads');
      const Database = require(workerData.betterSqlite3);
      const db = new Database(workerData.file);
      db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT INTO Organization (id, slug, createdAt) VALUES ('o-holder', 'holder', 0)").run();
      parentPort.postMessage('locked');
      const letGo = () => {
        clearTimeout(timer);
        if (!db.open) return;
        db.exec('COMMIT');
        db.close();
        parentPort.postMessage('released');
      };
      const timer = setTimeout(letGo, 500);
      parentPort.on('message', letGo);
      `,
      {
        eval: true,
        workerData: {
          betterSqlite3: createRequire(import.meta.url).resolve('better-sqlite3'),
          file,
        },
      },
    );
    const messages: string[] = [];
    const released = new Promise<void>((resolve, reject) => {
      holder.on('error', reject);
      holder.on('message', (message: string) => {
        messages.push(message);
        if (message === 'released') resolve();
      });
    });
    await new Promise<void>((resolve) => holder.once('message', () => resolve()));

    const outcome = await db
      .$transaction(async (tx) => {
        const before = await tx.organization.count();
        await tx.organization.create({ data: { id: 'o-after-read', slug: 'after-read' } });
        return `read ${before}`;
      })
      .catch((error: Error) => `failed: ${error.message}`);
    holder.postMessage('let go');
    await released;
    await holder.terminate();

    expect(outcome).toMatch(/^read \d+$/);
    // Both writes are stored: neither process's transaction was lost to the other.
    expect(await orgIds()).toEqual(expect.arrayContaining(['o-holder', 'o-after-read']));
    expect(messages).toEqual(['locked', 'released']);
  });

  it('a COMMIT that fails does not leave the connection inside its transaction', async () => {
    const { db } = database;
    // A deferred foreign-key violation fails at COMMIT, as SQLITE_BUSY there would.
    const failed = await db
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe('PRAGMA defer_foreign_keys = ON');
        await tx.$executeRaw`INSERT INTO "User" ("id", "orgId", "name", "createdAt")
          VALUES ('u-orphan', 'no-such-org', 'orphan', 0)`;
      })
      .then(
        () => 'committed',
        (error: Error) => `failed: ${error.message}`,
      );
    expect(failed).toMatch(/^failed: (ForeignKeyConstraintViolation|.*FOREIGN KEY)/s);
    // The next transaction begins and commits: the failed one did not stay open.
    await db.$transaction(async (tx) => {
      await tx.organization.create({ data: { id: 'o-next', slug: 'next' } });
    });
    expect(await orgIds()).toContain('o-next');
    expect(await db.user.count({ where: { id: 'u-orphan' } })).toBe(0);
  });
});
