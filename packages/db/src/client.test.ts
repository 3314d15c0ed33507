import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WAL_AUTOCHECKPOINT_PAGES } from './client.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
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
    expect(Number(await pragma('wal_autocheckpoint'))).toBe(WAL_AUTOCHECKPOINT_PAGES);
  });
});
