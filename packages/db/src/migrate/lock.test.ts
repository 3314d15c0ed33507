import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationError } from './errors.ts';
import { withMigrationLock } from './lock.ts';
import { tempDir } from '../../testing/migrations.ts';

describe('withMigrationLock', () => {
  it('excludes a second holder until the first is done, then lets it in', async () => {
    const file = path.join(await tempDir(), 'parley.db');

    const inner = await withMigrationLock(file, () =>
      // A short timeout: SQLite waits for the lock synchronously.
      withMigrationLock(file, () => Promise.resolve('second'), 100).catch(
        (error: unknown) => error,
      ),
    );
    expect(inner).toBeInstanceOf(MigrationError);
    expect((inner as MigrationError).message).toMatch(/Another process has been migrating/);

    await expect(withMigrationLock(file, () => Promise.resolve('again'), 100)).resolves.toBe(
      'again',
    );
  });

  it('releases the lock when the work fails', async () => {
    const file = path.join(await tempDir(), 'parley.db');
    await expect(withMigrationLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(withMigrationLock(file, () => Promise.resolve(1), 100)).resolves.toBe(1);
  });
});
