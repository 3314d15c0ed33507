/**
 * The better-sqlite3 driver adapter is patched (patches/@prisma__adapter-better-sqlite3@7.10.0.patch)
 * to keep prepared statements per connection instead of preparing every query anew. These tests
 * hold the patch in place and show that results, writes, transactions and errors are unchanged.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from './client.ts';
import { Prisma } from './generated/prisma/client.ts';
import { createSqliteTestDatabase } from '../testing/database.ts';

// The statement cache is a patch of the SQLite adapter: PostgreSQL has no such thing here.
let database: Awaited<ReturnType<typeof createSqliteTestDatabase>>;
beforeAll(async () => {
  database = await createSqliteTestDatabase();
});
afterAll(() => database.close());

/** How many times better-sqlite3 prepares SQL while `run` runs. */
async function countPrepares(run: () => Promise<unknown>): Promise<number> {
  const proto = Database.prototype as unknown as { prepare: (source: string) => unknown };
  const original = proto.prepare;
  let count = 0;
  proto.prepare = function (this: unknown, source: string) {
    count++;
    return original.call(this, source);
  };
  try {
    await run();
  } finally {
    proto.prepare = original;
  }
  return count;
}

describe('the statement cache of the SQLite driver adapter', () => {
  it('prepares a query once and runs it again with new arguments', async () => {
    const { db } = database;
    const org = await db.organization.create({ data: { id: 'o-cache', slug: 'cache-org' } });
    const select = (name: string) =>
      db.$queryRaw<{ slug: string }[]>`SELECT "slug" FROM "Organization" WHERE "slug" = ${name}`;
    expect(await countPrepares(() => select('cache-org'))).toBe(1);
    let rows: { slug: string }[] = [];
    expect(
      await countPrepares(async () => {
        rows = await select(org.slug);
        expect(await select('nobody')).toEqual([]);
      }),
    ).toBe(0);
    expect(rows).toEqual([{ slug: 'cache-org' }]);
  });

  it('runs writes, transactions and failing statements as before', async () => {
    const { db } = database;
    await db.organization.create({ data: { id: 'o-unique', slug: 'unique-org' } });
    for (let i = 0; i < 3; i++) {
      // A unique violation from a cached statement is still Prisma's P2002, and leaves it usable.
      await expect(
        db.organization.create({ data: { id: `o-dup-${i}`, slug: 'unique-org' } }),
      ).rejects.toMatchObject({
        code: 'P2002',
      });
    }
    await db.$transaction(async (tx) => {
      await tx.organization.create({ data: { id: 'o-tx', slug: 'in-tx' } });
      await tx.organization.update({ where: { slug: 'in-tx' }, data: { slug: 'in-tx-renamed' } });
    });
    await expect(
      db.$transaction(async (tx) => {
        await tx.organization.create({ data: { id: 'o-rb', slug: 'rolled-back' } });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const names = (await db.organization.findMany({ select: { slug: true } })).map((o) => o.slug);
    expect(names).toContain('in-tx-renamed');
    expect(names).not.toContain('rolled-back');
  });

  it('stays correct past its size, when old statements are finalized', async () => {
    const { db } = database;
    // 300 distinct statements (the cache keeps 256), then the first ones again.
    const texts = Array.from({ length: 300 }, (_, i) => i);
    const run = (i: number) =>
      db.$queryRaw<{ n: bigint }[]>`SELECT ${i} + ${Prisma.raw(String(i))} AS n`;
    for (const i of texts) expect(Number((await run(i))[0]?.n)).toBe(2 * i);
    expect(await countPrepares(() => run(0))).toBe(1); // evicted, prepared again
    expect(await countPrepares(() => run(299))).toBe(0); // still cached
    expect(Number((await run(0))[0]?.n)).toBe(0);
  });

  it('prepares every query anew when told to keep none, as the stock adapter does', async () => {
    const stock = await openSqlite({ url: `file:${database.file}` }, { statementCacheSize: 0 });
    try {
      const select = () => stock.db.$queryRaw<{ n: bigint }[]>`SELECT ${1} AS n`;
      await select();
      expect(await countPrepares(async () => Promise.all([select(), select(), select()]))).toBe(3);
      expect(Number((await select())[0]?.n)).toBe(1);
    } finally {
      await stock.close();
    }
  });
});
