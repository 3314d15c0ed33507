// SQLite's `search` migration: FTS5 indexes over titles and messages that it builds for the rows
// already there, and triggers that keep them in step afterwards.
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, migrateDeploy } from './index.ts';
import { copyOfSources, query, tempDir } from '../../testing/migrations.ts';
import { migrationNames, readMigrations } from './migrations.ts';

const SEARCH = migrationNames(await readMigrations(DEFAULT_MIGRATIONS_DIR)).find((name) =>
  name.endsWith('_search'),
);

/** Runs statements on the file with a short-lived connection. */
function write(file: string, sql: string): void {
  const sqlite = new Database(file, { fileMustExist: true });
  try {
    sqlite.exec(sql);
  } finally {
    sqlite.close();
  }
}

const titleHits = (file: string, phrase: string) =>
  query<{ id: string }>(
    file,
    `SELECT c."id" FROM "ConversationTitleSearch" JOIN "Conversation" c
       ON c.rowid = "ConversationTitleSearch".rowid
     WHERE "ConversationTitleSearch" MATCH '"${phrase}"' ORDER BY c."id"`,
  ).map((row) => row.id);

const messageHits = (file: string, phrase: string) =>
  query<{ id: string }>(
    file,
    `SELECT m."id" FROM "MessageSearch" JOIN "Message" m ON m.rowid = "MessageSearch".rowid
     WHERE "MessageSearch" MATCH '"${phrase}"' ORDER BY m."id"`,
  ).map((row) => row.id);

/** FTS5's own check that an external-content index matches its table (throws when not). */
const integrityCheck = (file: string) =>
  write(
    file,
    `INSERT INTO "ConversationTitleSearch" ("ConversationTitleSearch") VALUES ('integrity-check');
     INSERT INTO "MessageSearch" ("MessageSearch") VALUES ('integrity-check');`,
  );

describe('the search migration on SQLite', () => {
  it('indexes the conversations and messages that existed before it', async () => {
    expect(SEARCH).toBeDefined();
    const sources = await copyOfSources();
    await rm(path.join(sources.migrationsDir, SEARCH!), { recursive: true });
    const file = path.join(await tempDir(), 'parley.db');
    await migrateDeploy({ file, ...sources });
    write(
      file,
      `INSERT INTO "Organization" ("id", "slug") VALUES ('o1', 'acme');
       INSERT INTO "User" ("id", "orgId", "name") VALUES ('u1', 'o1', 'alice');
       INSERT INTO "Conversation" ("id", "orgId", "userId", "title", "model", "createdById",
         "updatedById") VALUES ('c1', 'o1', 'u1', 'Quokka photos', 'm', 'u1', 'u1'),
                               ('c2', 'o1', 'u1', '東京の旅', 'm', 'u1', 'u1');
       INSERT INTO "Message" ("id", "conversationId", "role", "content")
         VALUES ('m1', 'c1', 'user', 'Where do quokkas live?'),
                ('m2', 'c2', 'user', 'タワーに行きました');`,
    );

    await cp(
      path.join(DEFAULT_MIGRATIONS_DIR, SEARCH!),
      path.join(sources.migrationsDir, SEARCH!),
      {
        recursive: true,
      },
    );
    await expect(migrateDeploy({ file, ...sources })).resolves.toEqual([SEARCH]);

    expect(titleHits(file, 'quokka')).toEqual(['c1']);
    expect(titleHits(file, '東京の')).toEqual(['c2']);
    expect(messageHits(file, 'QUOKKA')).toEqual(['m1']);
    expect(messageHits(file, 'タワー')).toEqual(['m2']);
    integrityCheck(file);

    // From then on the triggers keep the indexes in step, whoever writes.
    write(
      file,
      `UPDATE "Conversation" SET "title" = 'Wallaby photos' WHERE "id" = 'c1';
       DELETE FROM "Message" WHERE "id" = 'm1';
       INSERT INTO "Message" ("id", "conversationId", "role", "content")
         VALUES ('m3', 'c1', 'user', 'Wallabies too');
       DELETE FROM "Conversation" WHERE "id" = 'c2';`,
    );
    expect(titleHits(file, 'quokka')).toEqual([]);
    expect(titleHits(file, 'wallaby')).toEqual(['c1']);
    expect(messageHits(file, 'quokka')).toEqual([]);
    expect(messageHits(file, 'wallabies')).toEqual(['m3']);
    expect(titleHits(file, '東京の')).toEqual([]);
    expect(messageHits(file, 'タワー')).toEqual([]); // went with its conversation (cascade)
    integrityCheck(file);
  });

  // A later migration that rebuilds "Conversation" or "Message" (Prisma's table redefinition)
  // drops their triggers with them; it must create them again (docs/database.md, "Search").
  it('leaves the triggers that keep the indexes in step', async () => {
    const file = path.join(await tempDir(), 'parley.db');
    await migrateDeploy({ file });
    const triggers = query<{ name: string }>(
      file,
      "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    ).map((row) => row.name);
    expect(triggers).toEqual([
      'ConversationTitleSearch_delete',
      'ConversationTitleSearch_insert',
      'ConversationTitleSearch_update',
      'MessageSearch_delete',
      'MessageSearch_insert',
      'MessageSearch_update',
    ]);
  });
});
