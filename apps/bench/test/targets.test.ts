/**
 * Each baseline must answer Florent's rename as Parley does, or the comparison is not fair: the
 * same requests go to Parley and to every baseline, each on its own copy of one seeded database,
 * and must get the same statuses and bodies (the update time aside).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderId } from '@parley/api';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_DIR, REPO_ROOT, startTarget, type Target } from '../src/process.ts';
import { seedDatabase, type SeededDatabase } from '../src/seed.ts';

const BASELINES = ['baseline', 'naive', 'node-http'] as const;
const NAMES = ['parley', ...BASELINES] as const;

let dir: string;
let seeded: SeededDatabase;
let othersId: string;
const targets = new Map<string, Target>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-test-'));
  mkdirSync(path.join(dir, 'seed'));
  seeded = await seedDatabase(path.join(dir, 'seed', 'parley.db'), {
    conversations: 40,
    own: 20,
    otherUsers: 3,
  });
  const sqlite = new Database(seeded.file, { readonly: true });
  othersId = (
    sqlite.prepare('SELECT id FROM Conversation WHERE userId <> ? LIMIT 1').get(seeded.userId) as {
      id: string;
    }
  ).id;
  sqlite.close();

  const started = await Promise.all(
    NAMES.map((name) => {
      const own = path.join(dir, name);
      mkdirSync(own);
      copyFileSync(seeded.file, path.join(own, 'parley.db'));
      return name === 'parley'
        ? startTarget({
            name,
            entry: path.join(REPO_ROOT, 'apps/server/src/main.ts'),
            cwd: path.join(REPO_ROOT, 'apps/server'),
            env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', PARLEY_DATA_DIR: own },
          })
        : startTarget({
            name,
            entry: path.join(BENCH_DIR, 'src/targets', `${name}.ts`),
            cwd: BENCH_DIR,
            env: { BENCH_DB_FILE: path.join(own, 'parley.db') },
          });
    }),
  );
  for (const target of started) targets.set(target.name, target);
});

afterAll(async () => {
  await Promise.all([...targets.values()].map((t) => t.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  etag: string | null;
  body: any;
}

async function rename(
  target: string,
  id: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const url = targets.get(target)?.url;
  const response = await fetch(`${url}/api/florent/conversations/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${seeded.key}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    body: await response.json(),
  };
}

/**
 * What must be equal between Parley and a baseline: all but the time of the update, and the
 * ETag of an error (Express's automatic content hash, not a version).
 */
function comparable(answer: Answer) {
  const { body } = answer;
  if (answer.status !== 200) answer = { ...answer, etag: null };
  if (body?.conversation) {
    const { updatedAt, ...rest } = body.conversation;
    expect(Date.parse(updatedAt)).not.toBeNaN();
    return { ...answer, body: { conversation: rest } };
  }
  // Validation issues are zod's on Parley; only their presence must match.
  if (Array.isArray(body?.issues))
    return { ...answer, body: { ...body, issues: body.issues.length > 0 } };
  return answer;
}

describe.each(BASELINES)('%s answers Florent rename like Parley', (baseline) => {
  const both = async (id: () => string, body: unknown, headers?: Record<string, string>) => {
    const parley = await rename('parley', id(), body, headers);
    const other = await rename(baseline, id(), body, headers);
    expect(comparable(other)).toEqual(comparable(parley));
    return parley;
  };

  it('200 with the renamed conversation and its version as ETag', async () => {
    // Each baseline renames its own copy; Parley's copy is renamed once per baseline.
    const id = seeded.ownIds[BASELINES.indexOf(baseline)] ?? '';
    const answer = await both(() => id, { title: '  Cafe\u0301 plan  ' });
    expect(answer.status).toBe(200);
    expect(answer.etag).toBe('"2"');
    expect(answer.body.conversation).toMatchObject({
      _id: id,
      userId: seeded.userId,
      title: 'Café plan',
      model: 'default',
      messageCount: 0,
      lastMessageAt: null,
    });
  });

  it('accepts the id in every rendering Parley accepts', async () => {
    const id = seeded.ownIds[10 + BASELINES.indexOf(baseline)] ?? '';
    const answer = await both(() => renderId(id, 'uuid'), { title: 'By UUID' });
    expect(answer.status).toBe(200);
  });

  it('401 without a key or with an unknown one', async () => {
    const id = () => seeded.ownIds[5] ?? '';
    expect((await both(id, { title: 'x' }, { authorization: '' })).status).toBe(401);
    expect((await both(id, { title: 'x' }, { authorization: 'Bearer pk_unknown' })).status).toBe(
      401,
    );
    expect((await both(id, { title: 'x' }, { authorization: 'Basic abc' })).status).toBe(401);
  });

  it("404 for an unknown, a malformed or someone else's id", async () => {
    expect((await both(() => '01KAP3M1N5Z0S0C0Q7T3WX4B9E', { title: 'x' })).status).toBe(404);
    expect((await both(() => 'not-an-id', { title: 'x' })).status).toBe(404);
    // Any length: an id longer than any rendering reads as unknown too, never as invalid input.
    expect((await both(() => 'x'.repeat(65), { title: 'x' })).status).toBe(404);
    const answer = await both(() => othersId, { title: 'x' });
    expect(answer).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('400 for a title the rule refuses, 412 for a stale If-Match', async () => {
    const id = () => seeded.ownIds[6] ?? '';
    expect((await both(id, { title: '   ' })).status).toBe(400);
    expect((await both(id, { name: 'no title' })).status).toBe(400);
    expect((await both(id, { title: 'x'.repeat(101) })).status).toBe(400);
    expect((await both(id, { title: 'x' }, { 'if-match': '"7"' })).status).toBe(412);
  });
});
