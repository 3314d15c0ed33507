/**
 * PARLEY_WORKERS=2: the production bundle as a cluster of two worker processes on one SQLite file.
 * Requests reach both workers; a change made through one reaches a live stream on the other;
 * concurrent writes through both neither fail nor get lost; the rate limits and the credential
 * cache's promise hold across workers; a worker killed under load is replaced while the other
 * answers; SIGTERM drains every worker and the primary exits 0.
 *
 * Which worker served a request is read from its log line (every line names its process's pid,
 * and X-Request-Id joins a request to its line). A connection stays with the worker that
 * accepted it, so requests meant to spread go out on connections of their own (`fresh`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS, serverBuild } from '../src/production.ts';
import { acknowledgedWrites } from '../testing/acknowledged-writes.ts';
import { burst } from '../testing/burst.ts';
import { runCliAsync, startServerProcess, type ServerProcess } from '../testing/server-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-workers-'));
const env = {
  PARLEY_DATA_DIR: dataDir,
  PARLEY_WORKERS: '2',
  // Long: a drain on a busy machine is not to be mistaken for one that drops requests.
  PARLEY_SHUTDOWN_TIMEOUT_MS: '120000',
  // The write loads below are far above the default per-key limit's 3,000 a minute.
  PARLEY_RATE_LIMIT_PER_KEY: '0',
  PARLEY_RATE_LIMIT_PER_IP: '0',
};
/** The credential cache's promise (README): a revoked key stops working within 10 s. */
const CREDENTIAL_CACHE_TTL_MS = 10_000;
let server: ServerProcess | undefined;
let key = '';

beforeAll(async () => {
  key = await newKey(env);
  server = await startCluster(env);
}, 240_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Starts the cluster; resolves once both workers have said they listen (the primary says so once
 * they do, but each process writes its own lines, so theirs may come after the primary's).
 */
async function startCluster(environment: Record<string, string>): Promise<ServerProcess> {
  const started = await startServerProcess(environment, 90_000);
  await started.waitForLog(() => workerPids(started).length === 2, 60_000);
  return started;
}

async function newKey(environment: Record<string, string>): Promise<string> {
  const result = await runCliAsync(
    ['keys', 'create', '--org', 'acme', '--user', 'alice'],
    environment,
  );
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim().split('\n').at(-1)!;
}

interface Answer {
  status: number;
  body: any;
  /** The process that served the request (from its log line). */
  pid?: number;
}

let requests = 0;

/**
 * One request on a connection of its own (so the cluster may hand it to either worker); with
 * `served`, also the pid of the worker that answered, read from the server's log.
 */
async function fresh(
  method: string,
  url: string,
  options: { apiKey?: string; body?: unknown; headers?: Record<string, string>; served?: boolean },
): Promise<Answer> {
  const id = `w-${process.pid}-${requests++}`;
  const answer = await new Promise<Answer>((resolve, reject) => {
    const req = http.request(url, {
      agent: false,
      method,
      headers: {
        'x-request-id': id,
        ...(options.apiKey && { authorization: `Bearer ${options.apiKey}` }),
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    // A connection the cluster's primary was handing to a worker as it died is never answered
    // nor closed: give up on it (it is not an acknowledged write).
    req.setTimeout(20_000, () => req.destroy(new Error('no answer in 20 s')));
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
  if (options.served) {
    const line = await server!.waitForLog((entry: any) => entry.req?.id === id);
    answer.pid = line.pid as number;
  }
  return answer;
}

const trpcRename = (url: string, apiKey: string, id: string, title: string, served = false) =>
  fresh('POST', `${url}/trpc/conversation.rename`, { apiKey, body: { id, title }, served });

const trpcGet = (url: string, apiKey: string, id: string) =>
  fresh('GET', `${url}/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ id }))}`, {
    apiKey,
  });

async function createConversation(url: string, apiKey: string, title: string): Promise<string> {
  const created = await fresh('POST', `${url}/trpc/conversation.create`, {
    apiKey,
    body: { title },
  });
  expect(created.status).toBe(200);
  return created.body.result.data.id as string;
}

/** The pids of the workers that said they listen, in the order they did. */
const workerPids = (s: ServerProcess) =>
  s.logs.filter((entry) => entry.msg === 'worker listening').map((entry) => entry.pid as number);

describe('PARLEY_WORKERS=2', () => {
  it('forks two workers behind the primary, which logs once that both listen', () => {
    const primary = server!.child.pid!;
    expect(server!.logs.find((entry) => entry.msg === 'listening')).toMatchObject({
      pid: primary,
      workers: 2,
    });
    const workers = workerPids(server!);
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(primary);
    // The primary applied the migrations before forking; the workers only opened the file.
    const ready = server!.logs.filter((entry) => entry.msg === 'database ready');
    expect(ready.map((entry) => entry.pid)).toEqual([primary]);
  });

  it('serves requests from both workers', async () => {
    const id = await createConversation(server!.url, key, 'spread');
    const seen = new Set<number>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const got = await fresh(
        'GET',
        `${server!.url}/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ id }))}`,
        { apiKey: key, served: true },
      );
      expect(got.status).toBe(200);
      seen.add(got.pid!);
    }
    expect([...seen].sort()).toEqual(workerPids(server!).sort());
  });

  it('a rename through one worker reaches a live stream on the other', async () => {
    const { url } = server!;
    const id = await createConversation(url, key, 'before');
    // One keep-alive connection: a first request tells which worker holds it, then the stream
    // goes out on the same connection.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const probeId = `probe-${process.pid}`;
    await new Promise<void>((resolve, reject) => {
      http
        .get(`${url}/trpc/conversation.list?input=%7B%7D`, {
          agent,
          headers: { authorization: `Bearer ${key}`, 'x-request-id': probeId },
        })
        .on('response', (res) => res.resume().on('end', resolve))
        .on('error', reject);
    });
    const streamWorker = (await server!.waitForLog((entry: any) => entry.req?.id === probeId))
      .pid as number;
    let received = '';
    let onData = () => undefined as void;
    const streamId = `stream-${process.pid}`;
    const stream = http.get(`${url}/trpc/conversation.changes`, {
      agent,
      headers: {
        authorization: `Bearer ${key}`,
        accept: 'text/event-stream',
        'x-request-id': streamId,
      },
    });
    const opened = new Promise<number>((resolve, reject) => {
      stream.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk;
          onData();
        });
        resolve(res.statusCode ?? 0);
      });
      stream.on('error', reject);
    });
    const arrives = (text: string, timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`"${text}" not streamed`)), timeoutMs);
        onData = () => {
          if (!received.includes(text)) return;
          clearTimeout(timer);
          resolve();
        };
        onData();
      });
    expect(await opened).toBe(200);
    await arrives('event: connected', 30_000);

    // Renames on connections of their own until one is served by the other worker.
    let latencyMs: number | undefined;
    for (let i = 0; i < 40 && latencyMs === undefined; i++) {
      const title = `renamed-${i}`;
      const started = performance.now();
      const streamed = arrives(`"title":"${title}"`, 30_000);
      const renamed = await trpcRename(url, key, id, title, true);
      expect(renamed.status).toBe(200);
      await streamed;
      if (renamed.pid !== streamWorker) latencyMs = performance.now() - started;
    }
    expect(latencyMs).toBeDefined();
    console.info(`rename on one worker streamed by the other in ${latencyMs!.toFixed(1)} ms`);

    stream.destroy();
    agent.destroy();
    // The stream's own log line (written when it ends) names the worker that held it.
    const streamLine = await server!.waitForLog((entry: any) => entry.req?.id === streamId);
    expect(streamLine.pid).toBe(streamWorker);
  });

  it('200 concurrent renames of one conversation through both workers: version +200, no 5xx', async () => {
    const { url } = server!;
    const id = await createConversation(url, key, 'contended');
    const RENAMES = 200;
    const started = performance.now();
    const answers = await burst(RENAMES, (i) => trpcRename(url, key, id, `contended-${i}`));
    console.info(
      `${RENAMES} concurrent renames through 2 workers in ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    const got = await trpcGet(url, key, id);
    expect(got.body.result.data.version).toBe(1 + RENAMES);
    const versions = answers.map((a) => a.body.result.data.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: RENAMES }, (_, i) => i + 2));
  });

  it('ten concurrent creates with one Idempotency-Key through both workers make one conversation', async () => {
    const { url } = server!;
    const idempotencyKey = `once-${process.pid}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fresh('POST', `${url}/api/florent/conversations`, {
          apiKey: key,
          body: { title: 'only once' },
          headers: { 'idempotency-key': idempotencyKey },
          served: true,
        }),
      ),
    );
    expect(answers.map((a) => a.status).filter((s) => s < 200 || s >= 300)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.conversation._id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.pid)).size).toBe(2);
    const sqlite = new Database(path.join(dataDir, 'parley.db'), { readonly: true });
    try {
      const row = sqlite
        .prepare('SELECT count(*) AS n FROM Conversation WHERE idempotencyKey = ?')
        .get(idempotencyKey) as { n: number };
      expect(row.n).toBe(1);
    } finally {
      sqlite.close();
    }
  });

  it('replaces a worker killed under write load; no acknowledged write is lost, the other answers on', async () => {
    const s = server!;
    const { url } = s;
    const [victim, survivor] = workerPids(s);
    const acks = acknowledgedWrites();
    const acknowledged = acks.ids;
    const unexpected: string[] = [];
    const servedBy = new Set<number>();
    const failed: string[] = [];
    let stop = false;
    // Only a 201 with its body read is an acknowledged write. A request that fails on its
    // connection (it was on the worker that died) is not, and the writer goes on; any other
    // answer is a failure of the test.
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 2_000 && !stop; i++) {
        let answer: Answer;
        try {
          answer = await fresh('POST', `${url}/api/florent/conversations`, {
            apiKey: key,
            body: { title: `load-${w}-${i}` },
            served: acknowledged.length % 10 === 0,
          });
        } catch (error) {
          failed.push((error as Error).message);
          continue;
        }
        if (answer.status !== 201) {
          unexpected.push(`${answer.status} ${JSON.stringify(answer.body)}`);
          return;
        }
        acks.add(answer.body.conversation._id as string);
        if (answer.pid) servedBy.add(answer.pid);
      }
    });

    await acks.atLeast(100);
    process.kill(victim!, 'SIGKILL');
    const replaced = await s.waitForLog(
      (entry) => entry.msg === 'replacement worker listening',
      60_000,
    );
    const died = s.logs.find((entry) => entry.msg === 'worker died; starting a replacement');
    expect(died).toMatchObject({ worker: victim, signal: 'SIGKILL' });
    const replacement = replaced.worker as number;
    // Writes go on through the survivor and the replacement.
    await acks.atLeast(acknowledged.length + 100);
    stop = true;
    await Promise.all(writers);
    console.info(
      `${acknowledged.length} writes acknowledged; cut by the SIGKILL of a worker: ${JSON.stringify(failed)}`,
    );
    expect(unexpected).toEqual([]);
    expect(servedBy.has(survivor!)).toBe(true);

    const sqlite = new Database(path.join(dataDir, 'parley.db'), { readonly: true });
    try {
      expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set(
        (sqlite.prepare('SELECT id FROM Conversation').all() as { id: string }[]).map(
          (row) => row.id,
        ),
      );
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      sqlite.close();
    }
    // The replacement serves requests too.
    const seen = new Set<number>();
    for (let i = 0; i < 40 && !seen.has(replacement); i++) {
      seen.add(
        (
          await fresh('GET', `${url}/trpc/conversation.list?input=%7B%7D`, {
            apiKey: key,
            served: true,
          })
        ).pid!,
      );
    }
    expect(seen.has(replacement)).toBe(true);
  }, 180_000);

  it('SIGTERM: every worker drains its in-flight requests and ends its streams; the primary exits 0', async () => {
    const s = server!;
    const { url } = s;
    const BURST = 40;
    // Warm keep-alive connections first (spread over both workers), so every request below
    // travels on a connection a worker has accepted: requests in flight, not in a backlog.
    const agent = new http.Agent({ keepAlive: true, maxSockets: BURST + 2 });
    await Promise.all(
      Array.from({ length: BURST + 2 }, () => request(agent, `${url}/healthz`, 'GET').status),
    );
    const streams = await Promise.all(
      [0, 1].map(() =>
        fetch(`${url}/trpc/conversation.changes`, {
          headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
          signal: AbortSignal.timeout(60_000),
        }),
      ),
    );
    const drainedStreams = streams.map((stream) =>
      stream.text().catch((error: Error) => `failed: ${error.message}`),
    );
    const burst = Array.from({ length: BURST }, (_, i) =>
      request(agent, `${url}/api/florent/conversations`, 'POST', key, { title: `drain-${i}` }),
    );
    await Promise.all(burst.map((r) => r.sent));
    const exit = s.stop('SIGTERM');
    const statuses = await Promise.all(
      burst.map((r) => r.status.catch((error: Error) => `failed: ${error.message}`)),
    );
    agent.destroy();
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    for (const text of await Promise.all(drainedStreams)) {
      expect(text).toContain('event: connected');
      expect(text).not.toMatch(/^failed/);
    }
    expect(await exit).toBe(0);
    const exited = s.logs.filter((entry) => entry.msg === 'worker exited');
    expect(exited.map((entry) => entry.code)).toEqual([0, 0]);
    server = undefined;
  }, 180_000);
});

describe('PARLEY_WORKERS=2: limits and credentials across workers', () => {
  const limitedDir = mkdtempSync(path.join(tmpdir(), 'parley-workers-limits-'));
  const LIMIT = 20;
  const limitedEnv = {
    PARLEY_DATA_DIR: limitedDir,
    PARLEY_WORKERS: '2',
    PARLEY_RATE_LIMIT_PER_KEY: String(LIMIT),
  };

  beforeAll(async () => {
    await server?.stop('SIGKILL'); // left running by a failure above
    server = undefined;
  });
  afterAll(() => rmSync(limitedDir, { recursive: true, force: true }));

  it('counts one per-key limit across both workers', async () => {
    const [limitedKey] = await Promise.all([
      newKey(limitedEnv),
      startCluster(limitedEnv).then((started) => (server = started)),
    ]);
    const { url } = server!;
    const answers: Answer[] = [];
    for (let i = 0; i < LIMIT + 10; i++) {
      answers.push(
        await fresh('GET', `${url}/trpc/conversation.list?input=%7B%7D`, {
          apiKey: limitedKey,
          served: true,
        }),
      );
    }
    // Each worker counting alone would admit 2 × LIMIT.
    expect(new Set(answers.map((a) => a.pid)).size).toBe(2);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(LIMIT);
    expect(answers.slice(LIMIT).map((a) => a.status)).toEqual(Array(10).fill(429));
  }, 240_000);

  it('a revoked key is refused by every worker once the credential cache lets go (10 s)', async () => {
    const { url } = server!;
    const created = await runCliAsync(
      ['keys', 'create', '--org', 'acme', '--user', 'bob'],
      limitedEnv,
    );
    expect(created.code).toBe(0);
    const keyId = /^Created API key (\S+) /.exec(created.stdout)?.[1];
    const doomed = created.stdout.trim().split('\n').at(-1)!;
    // Used on both workers, so each holds it in its own credential cache; the last of these
    // requests was sent at `cachedBy` (an entry's life starts no earlier).
    const used = new Set<number>();
    let cachedBy = 0;
    for (let i = 0; i < 40 && used.size < 2; i++) {
      cachedBy = Date.now();
      const answer = await fresh('GET', `${url}/trpc/conversation.list?input=%7B%7D`, {
        apiKey: doomed,
        served: true,
      });
      expect(answer.status).toBe(200);
      used.add(answer.pid!);
    }
    expect(used.size).toBe(2);
    const revoked = await runCliAsync(['keys', 'revoke', keyId!], limitedEnv);
    expect(revoked.code).toBe(0);
    // Once every cache entry made before the revocation has expired, neither worker may accept
    // the key: ask until both have answered.
    const waitMs = cachedBy + CREDENTIAL_CACHE_TTL_MS + 100 - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    const refusedBy = new Map<number, number>();
    for (let i = 0; i < 40 && refusedBy.size < 2; i++) {
      const answer = await fresh('GET', `${url}/trpc/conversation.list?input=%7B%7D`, {
        apiKey: doomed,
        served: true,
      });
      refusedBy.set(answer.pid!, answer.status);
    }
    expect([...refusedBy.values()]).toEqual([401, 401]);
  }, 120_000);

  it('refuses a bad PARLEY_WORKERS at start, naming it, with a non-zero exit', () => {
    const result = spawnSync(process.execPath, [...PRODUCTION_NODE_FLAGS, serverBuild()], {
      env: { ...process.env, ...PRODUCTION_ENV, ...limitedEnv, PORT: '0', PARLEY_WORKERS: 'many' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('PARLEY_WORKERS: must be a whole number');
  });
});

/** A request on the agent: `sent` once it is handed to the kernel, `status` once answered. */
function request(
  agent: http.Agent,
  url: string,
  method: string,
  apiKey?: string,
  body?: unknown,
): { sent: Promise<void>; status: Promise<number> } {
  const req = http.request(url, {
    agent,
    method,
    headers: {
      ...(apiKey && { authorization: `Bearer ${apiKey}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
  });
  const sent = new Promise<void>((resolve) => {
    req.on('finish', resolve);
    req.on('error', () => resolve());
  });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  req.end(body === undefined ? undefined : JSON.stringify(body));
  return { sent, status };
}
