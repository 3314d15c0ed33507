/**
 * A benchmark database: Parley's schema applied by Parley's own migrations (migrateDeploy), then
 * organizations, users, API keys and conversations written straight through better-sqlite3 in
 * large transactions, in the column formats Prisma itself writes (ids are ULID strings, DateTime
 * columns ISO 8601 text with "+00:00": see isoTime/storedTime in targets/rules.ts), so the
 * servers read the rows exactly as if they had created them.
 *
 * The benchmarked user ("alice" of org "bench") owns `own` conversations; the rest belong to other
 * users in organizations of ten, so at scale most rows are someone else's, as on a shared server.
 * A second user of the same organization ("bob") starts with none: the create scenarios write as
 * him, so that creating does not change what alice's list pages hold while they are measured.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateApiKey } from '@parley/api/rules/api-key-crypto';
import { migrateDeploy } from '@parley/db/migrate';
import Database from 'better-sqlite3';
import { storedTime } from './targets/rules.ts';

export interface SeedOptions {
  /** Conversations stored in all. */
  conversations: number;
  /** How many of them the benchmarked user owns (spread evenly over time); default all. */
  own?: number;
  /** Users owning the others (default 999 when there are others). */
  otherUsers?: number;
  /** Conversations are spread over this many days before now (default 365). */
  days?: number;
}

export interface SeededDatabase {
  file: string;
  /** The benchmarked user's API key (`pk_…`), valid for `userName` of `orgSlug`. */
  key: string;
  /** The API key of a second user of the organization, who owns no conversation at first. */
  creatorKey: string;
  orgSlug: string;
  userName: string;
  orgId: string;
  userId: string;
  /** Ids of every conversation the benchmarked user owns, oldest first. */
  ownIds: string[];
  /** Conversations stored in all. */
  total: number;
  /** Seconds spent applying migrations and writing rows. */
  seconds: { migrate: number; seed: number };
}

/** Parley's tables, in the order their foreign keys allow filling them. */
export const TABLES = ['Organization', 'User', 'ApiKey', 'Conversation', 'Message'] as const;

export const BENCH_ORG = 'bench';
export const BENCH_USER = 'alice';
export const CREATOR_USER = 'bob';
const USERS_PER_ORG = 10;
const BATCH = 20_000;

// Crockford's base32, as ULIDs use it.
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID for the given millisecond, with 80 random bits from `random` (16 bytes at `at`). */
export function ulidAt(ms: number, random: Buffer, at = 0): string {
  let time = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = BASE32.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  let rest = '';
  for (let i = 0; i < 16; i++) rest += BASE32.charAt((random[at + i] ?? 0) & 31);
  return time + rest;
}

/** A new API key and what Parley stores of it: Parley's own generator. */
export const newApiKey = generateApiKey;

export async function seedDatabase(file: string, options: SeedOptions): Promise<SeededDatabase> {
  const total = options.conversations;
  const own = Math.min(options.own ?? total, total);
  const otherUsers = own < total ? (options.otherUsers ?? 999) : 0;
  if (own < 1) throw new Error('the benchmarked user must own at least one conversation');

  let started = performance.now();
  await migrateDeploy({ file });
  const migrate = (performance.now() - started) / 1000;

  started = performance.now();
  const sqlite = new Database(file, { timeout: 5_000 });
  try {
    sqlite.pragma('journal_mode = WAL');
    // Only for loading: a crash here just means seeding again.
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('cache_size = -262144');
    const now = Date.now();
    const created = storedTime(new Date(now));
    const random = randomBytes(16 * 64);
    let randomAt = 0;
    const id = (ms: number) => {
      if (randomAt + 16 > random.length) {
        randomBytes(random.length).copy(random);
        randomAt = 0;
      }
      const value = ulidAt(ms, random, randomAt);
      randomAt += 16;
      return value;
    };

    // Organizations of ten users; the benchmarked user is the first user of the first one.
    const insertOrg = sqlite.prepare(
      'INSERT INTO Organization (id, slug, createdAt) VALUES (?, ?, ?)',
    );
    const insertUser = sqlite.prepare(
      'INSERT INTO User (id, orgId, name, createdAt) VALUES (?, ?, ?, ?)',
    );
    const insertKey = sqlite.prepare(
      'INSERT INTO ApiKey (id, orgId, userId, hash, prefix, createdAt) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // users[0] is alice, users[1] bob; the others own the rest of the conversations.
    const users: { id: string; orgId: string; key: string }[] = [];
    sqlite.transaction(() => {
      const userCount = 2 + otherUsers;
      let orgId = '';
      for (let u = 0; u < userCount; u++) {
        if (u % USERS_PER_ORG === 0) {
          orgId = id(now);
          insertOrg.run(orgId, u === 0 ? BENCH_ORG : `org-${u / USERS_PER_ORG}`, created);
        }
        const userId = id(now);
        const name = u === 0 ? BENCH_USER : u === 1 ? CREATOR_USER : `user-${u}`;
        insertUser.run(userId, orgId, name, created);
        const apiKey = newApiKey();
        insertKey.run(id(now), orgId, userId, apiKey.hash, apiKey.prefix, created);
        users.push({ id: userId, orgId, key: apiKey.key });
      }
    })();
    const [bench, creator] = users;
    if (!bench || !creator) throw new Error('no benchmarked user');

    const insertConversation = sqlite.prepare(
      `INSERT INTO Conversation (id, orgId, userId, title, titleSource, model, version,
         messageCount, createdAt, updatedAt, createdById, updatedById)
       VALUES (?, ?, ?, ?, 'user', 'default', 1, 0, ?, ?, ?, ?)`,
    );
    const span = (options.days ?? 365) * 86_400_000;
    const first = now - span;
    const ownIds: string[] = [];
    const writeBatch = sqlite.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const ms = first + Math.floor((i * span) / total);
        // Row i is the benchmarked user's when it crosses the next multiple of total/own.
        const mine = Math.floor(((i + 1) * own) / total) > Math.floor((i * own) / total);
        const owner = mine ? bench : users[2 + Math.floor(Math.random() * otherUsers)];
        if (!owner) throw new Error('no owner');
        const conversationId = id(ms);
        const at = storedTime(new Date(ms));
        insertConversation.run(
          conversationId,
          owner.orgId,
          owner.id,
          `Conversation ${i + 1}`,
          at,
          at,
          owner.id,
          owner.id,
        );
        if (mine) ownIds.push(conversationId);
      }
    });
    for (let from = 0; from < total; from += BATCH) writeBatch(from, Math.min(total, from + BATCH));
    sqlite.pragma('wal_checkpoint(TRUNCATE)');

    return {
      file,
      key: bench.key,
      creatorKey: creator.key,
      orgSlug: BENCH_ORG,
      userName: BENCH_USER,
      orgId: bench.orgId,
      userId: bench.id,
      ownIds,
      total,
      seconds: { migrate, seed: (performance.now() - started) / 1000 },
    };
  } finally {
    sqlite.close();
  }
}

/** Seeds `<dir>/parley.db`, the file Parley opens in its data directory (creating dir). */
export async function seedDataDir(dir: string, options: SeedOptions): Promise<SeededDatabase> {
  mkdirSync(dir, { recursive: true });
  return seedDatabase(path.join(dir, 'parley.db'), options);
}
