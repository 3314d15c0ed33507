/**
 * Two production server processes on one PostgreSQL database, as two machines behind a load
 * balancer would run (PostgreSQL only). A rename through one reaches a live stream on the other
 * (LISTEN/NOTIFY); concurrent writes through both neither fail nor get lost; one Idempotency-Key
 * makes one conversation whichever process gets it; a lost listening connection comes back and
 * its streams are told to resync; a process killed under write load loses no acknowledged write
 * and the other answers on. With PARLEY_WORKERS on PostgreSQL each worker listens itself, and
 * an event reaches a stream once (no relay through the primary besides).
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKey } from '@parley/api';
import { createPostgresTestDatabase } from '@parley/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { acknowledgedWrites } from '../testing/acknowledged-writes.ts';
import { burst } from '../testing/burst.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';

// Server processes on a busy two-core machine: bounds that only stop a hung test.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

/** How long a live event may take before the test calls it lost (it reports the real figure). */
const EVENT_BOUND_MS = 10_000;

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-pg-processes-'));
let database: Awaited<ReturnType<typeof createPostgresTestDatabase>>;
let a: ServerProcess;
let b: ServerProcess;
let cluster: ServerProcess | undefined;
let key = '';
let env: Record<string, string>;

beforeAll(async () => {
  database = await createPostgresTestDatabase();
  key = (await createApiKey(database.db, 'acme', 'alice')).key;
  env = {
    DATABASE_URL: database.url,
    PARLEY_DATA_DIR: dataDir,
    // The write loads below are far above the default per-key limit, which each process counts
    // on its own.
    PARLEY_RATE_LIMIT_PER_KEY: '0',
    PARLEY_RATE_LIMIT_PER_IP: '0',
  };
  a = await startServerProcess(env);
  b = await startServerProcess(env);
});
afterAll(async () => {
  await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL'), cluster?.stop('SIGKILL')]);
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any;
  /** Milliseconds from the call to the connection, to the request written out, to the answer. */
  timings: { connected?: number; written?: number; answered?: number };
}

/** One request on a connection of its own, so a process killed later leaves none behind. */
function send(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const called = performance.now();
  const timings: Answer['timings'] = {};
  const since = () => Math.round(performance.now() - called);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      agent: false,
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
    });
    req.on('response', (res) => {
      timings.answered = since();
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, timings });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('socket', (socket) => socket.once('connect', () => (timings.connected = since())));
    req.on('finish', () => (timings.written = since()));
    req.setTimeout(60_000, () => req.destroy(new Error('no answer in 60 s')));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const rename = (url: string, id: string, title: string) =>
  send('POST', `${url}/trpc/conversation.rename`, { id, title });

async function create(url: string, title: string): Promise<string> {
  const made = await send('POST', `${url}/trpc/conversation.create`, { title });
  expect(made.status).toBe(200);
  return made.body.result.data.id as string;
}

/** `conversation.changes` over SSE, as the web app opens it; `arrives` awaits a text in it. */
async function openStream(url: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}/trpc/conversation.changes`, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  let received = '';
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) {
        received += decoder.decode(chunk, { stream: true });
        for (const check of waiters) check();
      }
    } catch {
      // aborted
    }
  })();
  /** Resolves with the time it arrived once `text` is in the stream past `from`. */
  const arrives = (text: string, from = 0, timeoutMs = EVENT_BOUND_MS) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        if (!received.includes(text, from)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(performance.now());
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`"${text}" not streamed in ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  await arrives('event: connected', 0, 60_000);
  return {
    arrives,
    length: () => received.length,
    text: () => received,
    close: () => controller.abort(),
  };
}

/** The backends of the listening connections of a process (by its pid), from pg_stat_activity. */
async function listenerBackends(pid: number | undefined): Promise<number[]> {
  const rows = await database.db.$queryRawUnsafe<{ pid: number }[]>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
    `parley-listen-${pid}`,
  );
  return rows.map((row) => row.pid);
}

describe('two server processes on one PostgreSQL database', () => {
  it('a rename through process A reaches a live stream on process B', async () => {
    const id = await create(a.url, 'before');
    const stream = await openStream(b.url);
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const title = `renamed-${i}`;
      const from = stream.length();
      const streamed = stream.arrives(`"title":"${title}"`, from);
      const started = performance.now();
      const renamed = await rename(a.url, id, title);
      expect(renamed.status).toBe(200);
      latencies.push((await streamed) - started);
    }
    stream.close();
    console.info(
      `rename through A streamed by B in ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms ` +
        '(from sending the rename to A)',
    );
  });

  it('1,000 concurrent renames of one conversation through both: version +1,000, no 5xx', async () => {
    const id = await create(a.url, 'contended');
    const RENAMES = 1_000;
    const started = performance.now();
    const answers = await burst(RENAMES, (i) =>
      rename(i % 2 === 0 ? a.url : b.url, id, `contended-${i}`),
    );
    console.info(
      `${RENAMES} concurrent renames through 2 processes in ${(performance.now() - started).toFixed(0)} ms`,
    );
    // A refused rename names its cause: the errors both processes logged (their lines may still be
    // on the way through the pipes), and when the client connected, wrote the request and was
    // answered.
    const refused = answers.filter((answer) => answer.status !== 200);
    const warning = (line: Record<string, unknown>) => Number(line.level) >= 40;
    if (refused.length > 0) {
      await Promise.any([a, b].map((p) => p.waitForLog(warning, 10_000))).catch(() => undefined);
    }
    const logged = [a, b].flatMap((p) => p.logs.filter(warning));
    expect(
      refused.map((answer) => answer.status),
      JSON.stringify({
        logged: logged.slice(0, 3),
        timings: refused.slice(0, 3).map((r) => r.timings),
      }),
    ).toEqual([]);
    const got = await send(
      'GET',
      `${b.url}/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ id }))}`,
    );
    expect(got.body.result.data.version).toBe(1 + RENAMES);
    const versions = answers.map((x) => x.body.result.data.version as number).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: RENAMES }, (_, i) => i + 2));
  });

  it('ten concurrent creates with one Idempotency-Key through both make one conversation', async () => {
    const idempotencyKey = `once-${process.pid}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send(
          'POST',
          `${i % 2 === 0 ? a.url : b.url}/api/florent/conversations`,
          { title: 'only once' },
          { 'idempotency-key': idempotencyKey },
        ),
      ),
    );
    expect(answers.map((x) => x.status).filter((s) => s < 200 || s >= 300)).toEqual([]);
    expect(new Set(answers.map((x) => x.body.conversation._id)).size).toBe(1);
    const rows = await database.db.conversation.count({ where: { idempotencyKey } });
    expect(rows).toBe(1);
  });

  it('a lost listening connection comes back: B’s streams get resync, then A’s renames again', async () => {
    const id = await create(a.url, 'listener');
    const stream = await openStream(b.url);
    const [backend, ...others] = await listenerBackends(b.child.pid);
    expect(others).toEqual([]);
    const from = stream.length();
    const resynced = stream.arrives('"type":"resync"', from);
    await database.db.$queryRawUnsafe(`SELECT pg_terminate_backend($1)::text AS done`, backend);
    await resynced;
    // A listening connection of its own again, another backend.
    const [again] = await listenerBackends(b.child.pid);
    expect(again).toBeDefined();
    expect(again).not.toBe(backend);
    const streamed = stream.arrives('"title":"after the loss"', stream.length());
    expect((await rename(a.url, id, 'after the loss')).status).toBe(200);
    await streamed;
    stream.close();
    expect(b.logs.map((entry) => entry.msg)).toContain(
      'live-change listener reconnected: subscribers resync',
    );
  });

  it('SIGKILL of one process under write load: no acknowledged write lost, the other answers on', async () => {
    const acks = acknowledgedWrites();
    const acknowledged = acks.ids;
    const unexpected: string[] = [];
    const cut: string[] = [];
    let stop = false;
    let killed = false;
    // Only a 201 with its body read is an acknowledged write. A request to the killed process
    // fails on its connection (or is refused) and is not; any other answer fails the test.
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 5_000 && !stop; i++) {
        const target = w % 2 === 0 ? a : b;
        if (killed && target === a) return;
        let answer: Answer;
        try {
          answer = await send('POST', `${target.url}/api/florent/conversations`, {
            title: `load-${w}-${i}`,
          });
        } catch (error) {
          cut.push(`${target === a ? 'A' : 'B'}: ${(error as Error).message}`);
          continue;
        }
        if (answer.status !== 201) {
          unexpected.push(`${answer.status} ${JSON.stringify(answer.body)}`);
          return;
        }
        acks.add(answer.body.conversation._id as string);
      }
    });

    await acks.atLeast(200);
    const exited = a.stop('SIGKILL');
    killed = true;
    expect(await exited).toBeNull(); // ended by the signal
    // Writes go on through B.
    await acks.atLeast(acknowledged.length + 200);
    stop = true;
    await Promise.all(writers);
    console.info(
      `${acknowledged.length} writes acknowledged; cut by the SIGKILL of A: ${JSON.stringify(cut)}`,
    );
    expect(unexpected).toEqual([]);
    expect(cut.filter((line) => line.startsWith('B'))).toEqual([]);
    const stored = new Set(
      (await database.db.conversation.findMany({ select: { id: true } })).map((row) => row.id),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect((await send('GET', `${b.url}/healthz`)).status).toBe(200);
    expect((await send('GET', `${b.url}/trpc/conversation.list?input=%7B%7D`)).status).toBe(200);
  });

  it('PARLEY_WORKERS=2: each worker listens itself, and a stream gets each event once', async () => {
    const started = await startServerProcess({ ...env, PARLEY_WORKERS: '2' });
    cluster = started;
    const workerPids = () =>
      started.logs.filter((entry) => entry.msg === 'worker listening').map((e) => e.pid as number);
    await started.waitForLog(() => workerPids().length === 2, 60_000);
    for (const pid of workerPids()) expect(await listenerBackends(pid)).toHaveLength(1);
    expect(await listenerBackends(started.child.pid)).toEqual([]); // the primary does not

    const id = await create(started.url, 'in the cluster');
    const stream = await openStream(started.url);
    // Renames on connections of their own reach both workers (round robin); the stream is on
    // one of them, and each rename must arrive there once, not once per way across.
    const RENAMES = 10;
    for (let i = 0; i < RENAMES; i++) {
      const streamed = stream.arrives(`"title":"cluster-${i}"`, stream.length());
      expect((await rename(started.url, id, `cluster-${i}`)).status).toBe(200);
      await streamed;
    }
    const marker = stream.arrives('"title":"last"', stream.length());
    expect((await rename(started.url, id, 'last')).status).toBe(200);
    await marker;
    const text = stream.text();
    for (let i = 0; i < RENAMES; i++) {
      expect(text.split(`"title":"cluster-${i}"`).length - 1, `cluster-${i}`).toBe(1);
    }
    stream.close();
  });
});
