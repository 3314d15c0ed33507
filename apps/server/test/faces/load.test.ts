/**
 * Correctness under load: 1,000 renames of one conversation sent at once, spread over every face
 * and tRPC, while another process writes to the same SQLite file. Every one is acknowledged, the
 * version counts each exactly once, the final title is one of those requested, and no
 * database-busy error reaches a client although the server had to wait for SQLite's write lock.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { renderId } from '@parley/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../../testing/in-process-app.ts';

let t: TestApp;
let key: string;

// SQLite only (the postgres project leaves this file out): the contending writer holds SQLite's
// write lock on the file; PostgreSQL has no such lock to contend for.
function sqliteFile(): string {
  if (t.database.provider !== 'sqlite') throw new Error('a SQLite test');
  return t.database.file;
}

beforeAll(async () => {
  t = await startTestApp();
  key = await t.key('acme', 'alice');
});
afterAll(() => t.close());

const RENAMES = 1000;
/**
 * All 1,000 requests are sent at once and queue in the client, which opens at most this many
 * connections: the server then has up to 100 renames in progress, and no connection waits on
 * the kernel's accept queue (511 by default), where a loaded machine drops and retries them.
 */
const CONNECTIONS = 100;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
afterAll(() => agent.destroy());

function send(method: string, route: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.url}${route}`, {
      agent,
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function rename(id: string, i: number) {
  const title = `Title ${i}`;
  switch (i % 5) {
    case 0:
      return send('PATCH', `/api/florent/conversations/${id}`, { title });
    case 1:
      return send('PATCH', `/v2/conversations/${renderId(id, 'orq')}`, { displayName: title });
    case 2:
      return send('PATCH', `/api/conversations/${id}`, { title });
    case 3:
      return send('POST', `/v1/conversations/${renderId(id, 'uuid')}/name`, {
        name: title,
        user: 'alice',
      });
    default:
      return send('POST', '/trpc/conversation.rename', { id, title });
  }
}

interface WriterReport {
  holds: [number, number][];
  busy: number;
}

/** Starts contending-writer.ts on the test database; resolves once it is writing. */
async function startContendingWriter() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'contending-writer.ts'), sqliteFile()],
    { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`the writer did not start: ${stderr}`);
  return {
    async stop(): Promise<WriterReport> {
      child.stdin.end();
      const last = await lines.next();
      if (last.done) throw new Error(`the writer failed: ${stderr}`);
      return JSON.parse(last.value) as WriterReport;
    },
  };
}

describe('1,000 renames of one conversation at once, beside another writer', () => {
  it('acknowledges each, counts each once, and ends on a requested title', async () => {
    const created = await call(t.url, 'POST', '/api/florent/conversations', {
      key,
      body: { title: 'Start' },
    });
    const id: string = created.body.conversation._id;
    const writer = await startContendingWriter();
    const loadStart = Date.now();
    const results = await Promise.all(Array.from({ length: RENAMES }, (_, i) => rename(id, i)));
    const loadEnd = Date.now();
    const report = await writer.stop();

    // The other process really wrote during the load: it held the write lock (a few ms at a
    // time, about half of the time) repeatedly while the renames ran, so they had to wait for it.
    const during = report.holds.filter(([start, end]) => start >= loadStart && end <= loadEnd);
    console.info(
      `${RENAMES} renames in ${loadEnd - loadStart} ms; the other writer held the lock ` +
        `${during.length} times meanwhile and found it taken ${report.busy} times`,
    );
    expect(during.length).toBeGreaterThanOrEqual(10);

    const statuses = new Map<number, number>();
    for (const status of results) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 200: RENAMES });
    expect(t.logs()).not.toMatch(/SQLITE_BUSY|database is locked/);
    const stored = await t.database.db.conversation.findUniqueOrThrow({ where: { id } });
    expect(stored.version).toBe(1 + RENAMES);
    expect(Array.from({ length: RENAMES }, (_, i) => `Title ${i}`)).toContain(stored.title);
  });
});
