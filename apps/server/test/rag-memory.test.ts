/**
 * The RAG face answers a conversation of 100,000 messages whole, from the production server (the
 * bundle `pnpm start` runs, with its heap limits), and the server's resident memory stays under
 * 200 MB all along: the messages stream out page by page instead of being built into one array.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newId } from '@parley/api';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  runCliAsync,
  startServerProcess,
  trpc,
  type ServerProcess,
} from '../testing/server-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-rag-memory-'));
const env = { PARLEY_DATA_DIR: dataDir };
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const COUNT = 100_000;
/** Some 500 characters a message: the whole history is ~55 MB of JSON. */
const content = (i: number) => `message ${i} `.padEnd(500, 'lorem ipsum ');
const MB = 1024 * 1024;

/** The server process's peak resident memory so far (VmHWM), in bytes. */
function peakMemory(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
}

/** Inserts the messages straight into the database file, in a few large transactions. */
function insertMessages(conversationId: string) {
  const db = new Database(path.join(dataDir, 'parley.db'));
  try {
    db.pragma('busy_timeout = 60000');
    const insert = db.prepare(
      'INSERT INTO "Message" ("id", "conversationId", "role", "content", "createdAt") VALUES (?, ?, ?, ?, ?)',
    );
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    // Times in the text the server stores them in (ISO with +00:00).
    const at = (i: number) => new Date(start + i).toISOString().replace('Z', '+00:00');
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        insert.run(newId(), conversationId, i % 2 ? 'assistant' : 'user', content(i), at(i));
      }
    });
    for (let from = 0; from < COUNT; from += 25_000) batch(from, from + 25_000);
    db.prepare(
      'UPDATE "Conversation" SET "messageCount" = ?, "lastMessageAt" = ? WHERE "id" = ?',
    ).run(COUNT, at(COUNT - 1), conversationId);
  } finally {
    db.close();
  }
}

/** Checks the whole history arrived, in order, without keeping more than the parse needs. */
function expectWholeHistory(text: string) {
  const body = JSON.parse(text) as { messages: { content: string; role: string }[] };
  expect(body.messages.length).toBe(COUNT);
  for (const i of [0, 1, 4_999, 50_000, COUNT - 1]) {
    expect(body.messages[i]).toMatchObject({
      content: content(i),
      role: i % 2 ? 'assistant' : 'user',
    });
  }
  return body;
}

describe('a RAG conversation of 100,000 messages', () => {
  it('arrives whole through GET and PATCH, the server staying under 200 MB resident', async () => {
    const created = await runCliAsync(['keys', 'create', '--org', 'acme', '--user', 'alice'], env);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim().split('\n').at(-1)!;
    server = await startServerProcess(env);
    const pid = server.child.pid!;
    const conversation = await trpc(
      server.url,
      'mutation',
      'conversation.create',
      { title: 'Long' },
      key,
    );
    const id: string = conversation.body.result.data.id;
    insertMessages(id);
    const before = peakMemory(pid);

    const got = await fetch(`${server.url}/api/conversations/${id}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    const gotText = await got.text();

    // Sent at once: parsing the first body can take longer than the server keeps an idle
    // keep-alive socket (5 s), and a request on a socket it has just closed fails.
    const patched = await fetch(`${server.url}/api/conversations/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Long, renamed' }),
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');
    const patchedText = await patched.text();
    expectWholeHistory(gotText);
    expect(expectWholeHistory(patchedText)).toMatchObject({ title: 'Long, renamed' });

    const peak = peakMemory(pid);
    console.info(
      `server peak RSS: ${(before / MB).toFixed(0)} MB before the requests, ${(peak / MB).toFixed(0)} MB after`,
    );
    expect(peak).toBeLessThan(200 * MB);
  }, 300_000);
});
