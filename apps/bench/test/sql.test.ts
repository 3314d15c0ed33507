/**
 * The baselines' statements against a real seeded file: what they answer, and that a long run of
 * renames keeps SQLite's write-ahead log bounded (it grew without bound when the UPDATE …
 * RETURNING was read with get(), which made every baseline slower the longer it ran).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDatabase, type SeededDatabase } from '../src/seed.ts';
import { apiKeyHash, isoTime, storedTime } from '../src/targets/rules.ts';
import { openRenameStore, type RenameStore } from '../src/targets/sql.ts';

let dir: string;
let seeded: SeededDatabase;
let store: RenameStore;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-sql-'));
  seeded = await seedDatabase(path.join(dir, 'parley.db'), { conversations: 100 });
  store = openRenameStore(seeded.file);
});

afterAll(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the baselines’ rename store', () => {
  it('finds the caller by key hash and renames only its conversations', () => {
    const principal = store.principal(apiKeyHash(`Bearer ${seeded.key}`) ?? '');
    expect(principal).toMatchObject({ userId: seeded.userId, userName: 'alice' });
    expect(store.principal('0'.repeat(64))).toBeNull();

    const id = seeded.ownIds[0] ?? '';
    const renamed = store.rename(id, seeded.userId, 'New title');
    expect(renamed).toMatchObject({ kind: 'ok', row: { id, title: 'New title', version: 2 } });
    expect(store.rename(id, 'someone else', 'x')).toEqual({ kind: 'not_found' });
    expect(store.rename(id, seeded.userId, 'x', 1)).toEqual({ kind: 'conflict', version: 2 });
  });

  it('keeps the write-ahead log bounded over many requests', () => {
    const hash = apiKeyHash(`Bearer ${seeded.key}`) ?? '';
    for (let i = 0; i < 5_000; i++) {
      store.principal(hash);
      store.rename(seeded.ownIds[i % 100] ?? '', seeded.userId, `Title ${i}`);
    }
    // SQLite checkpoints every 1,000 pages (4 MB); unchecked, 5,000 renames leave about 20 MB.
    expect(statSync(`${seeded.file}-wal`).size).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('stored times', () => {
  it('are written as Prisma writes them and shown as Parley shows them', () => {
    const at = new Date('2026-11-23T09:41:47.805Z');
    expect(storedTime(at)).toBe('2026-11-23T09:41:47.805+00:00');
    expect(isoTime(storedTime(at))).toBe('2026-11-23T09:41:47.805Z');
  });
});
