/**
 * The baselines' data access: Parley's SQLite file opened with Parley's settings (WAL,
 * synchronous=NORMAL, foreign keys, a 5 s busy timeout) and the rename as prepared statements,
 * prepared once: the key lookup by hash, and one `UPDATE … RETURNING` checking the owner (and the
 * version when If-Match gives one).
 */
import Database from 'better-sqlite3';
import { storedTime, type ConversationRow } from './rules.ts';

export interface KeyRow {
  orgId: string;
  userId: string;
  userName: string;
  revokedAt: string | null;
}

export type RenameResult =
  | { kind: 'ok'; row: ConversationRow }
  | { kind: 'not_found' }
  | { kind: 'conflict'; version: number };

export interface RenameStore {
  /** The caller an API key hash names, or null (unknown or revoked key). */
  principal(hash: string): KeyRow | null;
  rename(id: string, userId: string, title: string, expectedVersion?: number): RenameResult;
  ping(): void;
  close(): void;
}

const RETURNING =
  'RETURNING id, userId, title, model, version, messageCount, lastMessageAt, createdAt, updatedAt';

export function openRenameStore(file: string): RenameStore {
  const db = new Database(file, { timeout: 5_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');

  const keyByHash = db.prepare<[string], KeyRow>(
    `SELECT k.orgId, k.userId, k.revokedAt, u.name AS userName
       FROM ApiKey k JOIN User u ON u.id = k.userId
      WHERE k.hash = ?`,
  );
  const set = `UPDATE Conversation
      SET title = @title, titleSource = 'user', version = version + 1,
          updatedAt = @now, updatedById = @userId`;
  const rename = db.prepare<Record<string, string>, ConversationRow>(
    `${set} WHERE id = @id AND userId = @userId ${RETURNING}`,
  );
  const renameAtVersion = db.prepare<Record<string, string | number>, ConversationRow>(
    `${set} WHERE id = @id AND userId = @userId AND version = @version ${RETURNING}`,
  );
  const versionOf = db.prepare<[string, string], { version: number }>(
    'SELECT version FROM Conversation WHERE id = ? AND userId = ?',
  );
  const ping = db.prepare('SELECT 1');

  return {
    principal(hash) {
      const key = keyByHash.get(hash);
      return key && key.revokedAt === null ? key : null;
    },
    rename(id, userId, title, expectedVersion) {
      const params = { id, userId, title, now: storedTime(new Date()) };
      // all(), not get(): get() on UPDATE … RETURNING stops the automatic checkpoints, and the
      // WAL then grows by about 200 MB/s under load, slowing every later read and write.
      const [row] =
        expectedVersion === undefined
          ? rename.all(params)
          : renameAtVersion.all({ ...params, version: expectedVersion });
      if (row) return { kind: 'ok', row };
      if (expectedVersion === undefined) return { kind: 'not_found' };
      const current = versionOf.get(id, userId);
      return current ? { kind: 'conflict', version: current.version } : { kind: 'not_found' };
    },
    ping() {
      ping.get();
    },
    close() {
      db.close();
    },
  };
}
