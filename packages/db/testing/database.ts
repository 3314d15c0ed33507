/** For tests of other packages: a real, migrated SQLite database in a fresh temp directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type DatabaseHandle } from '../src/client.ts';
import { migrateDeploy } from '../src/migrate/index.ts';

export interface TestDatabase extends DatabaseHandle {
  dir: string;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-test-'));
  const database = await openDatabase({ dataDir: dir });
  await migrateDeploy({ file: database.file });
  return {
    ...database,
    dir,
    async close() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
