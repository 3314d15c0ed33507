import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteTestDatabase } from '../testing/database.ts';

// SQLite's own settings: the PostgreSQL connection has none of these.
let database: Awaited<ReturnType<typeof createSqliteTestDatabase>>;
beforeAll(async () => {
  database = await createSqliteTestDatabase();
});
afterAll(() => database.close());

const pragma = async (name: string) => {
  const rows = await database.db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`);
  return Object.values(rows[0] ?? {})[0];
};

describe('openDatabase', () => {
  it('sets up the connection for durable, concurrent use', async () => {
    expect(await pragma('journal_mode')).toBe('wal');
    expect(Number(await pragma('synchronous'))).toBe(1); // NORMAL
    expect(Number(await pragma('foreign_keys'))).toBe(1);
    expect(Number(await pragma('busy_timeout'))).toBe(5000);
    // SQLite's default: larger checkpoints made renames at 1M conversations stall (see the log).
    expect(Number(await pragma('wal_autocheckpoint'))).toBe(1000);
  });
});
