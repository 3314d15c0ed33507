/**
 * Durability of the real server process: a SIGKILL in the middle of a write load loses no write
 * that was acknowledged, and leaves a database that passes integrity_check; SIGTERM lets every
 * accepted request finish and exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, startServerProcess, type ServerProcess } from '../testing/server-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-durability-'));
// The drain below is about requests in flight, not the deadline that cuts them: a long one, so a
// slow machine is not mistaken for a server that drops requests.
const env = { PARLEY_DATA_DIR: dataDir, PARLEY_SHUTDOWN_TIMEOUT_MS: '120000' };
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function key(): Promise<string> {
  const result = await runCliAsync(['keys', 'create', '--org', 'acme', '--user', 'alice'], env);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim().split('\n').at(-1)!;
}

function create(url: string, apiKey: string, title: string) {
  return fetch(`${url}/api/florent/conversations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
}

const ENOUGH = 200;

describe('durability', () => {
  it('keeps every acknowledged write across a SIGKILL mid-load', async () => {
    const apiKey = await key();
    server = await startServerProcess(env);
    const { url } = server;
    const acknowledged: string[] = [];
    const unexpected: string[] = [];
    let stop = false;
    let enough: () => void = () => {};
    const reached = new Promise<void>((resolve) => (enough = resolve));
    // 8 writers in a loop, bounded in count, until the server dies under them. Only a 201 with
    // its body read is an acknowledged write; any other answer is a failure of the test, and
    // only a failed connection (the server is gone) ends a writer quietly.
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 5_000 && !stop; i++) {
        let response: Response;
        let body: any;
        try {
          response = await create(url, apiKey, `w${w}-${i}`);
          body = await response.json();
        } catch {
          return;
        }
        if (response.status !== 201) {
          unexpected.push(`${response.status} ${JSON.stringify(body)}`);
          stop = true;
          enough();
          return;
        }
        acknowledged.push(body.conversation._id);
        if (acknowledged.length >= ENOUGH) enough();
      }
    });
    // Kill once enough writes were acknowledged (by count, not time: a busy machine is slow); the
    // bound only stops a hung test.
    const bound = setTimeout(enough, 50_000);
    await reached;
    clearTimeout(bound);
    await server.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);
    expect(unexpected).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(ENOUGH);

    server = await startServerProcess(env);
    const sqlite = new Database(path.join(dataDir, 'parley.db'), { readonly: true });
    try {
      expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set(
        (sqlite.prepare('SELECT id FROM Conversation').all() as { id: string }[]).map(
          (row) => row.id,
        ),
      );
      const lost = acknowledged.filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
    } finally {
      sqlite.close();
    }
  }, 120_000);

  it('drains in-flight requests on SIGTERM and exits 0', async () => {
    const apiKey = await key();
    if (!server || server.child.exitCode !== null || server.child.signalCode !== null) {
      server = await startServerProcess(env);
    }
    const { url } = server;
    const BURST = 40;
    // Open and warm a keep-alive connection for each request below (the burst and one slow
    // request), so every one travels on a socket the server has accepted: the test is about
    // requests in flight, not connections in a backlog, which a closed listener refuses.
    const agent = new http.Agent({ keepAlive: true, maxSockets: BURST + 1 });
    await Promise.all(
      Array.from({ length: BURST + 1 }, () => request(agent, `${url}/healthz`, 'GET').status),
    );
    // One request is deliberately slow: its headers and the start of its body are sent before
    // the signal, the rest once the server says it is draining. It must still be answered.
    const body = JSON.stringify({ title: 'sent across the signal' });
    const slow = http.request(`${url}/api/florent/conversations`, {
      agent,
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    const slowStatus = new Promise<number | string>((resolve) => {
      slow.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      slow.on('error', (error) => resolve(`failed: ${error.message}`));
    });
    const slowStarted = new Promise<void>((resolve) =>
      slow.write(body.slice(0, 10), () => resolve()),
    );
    const burst = Array.from({ length: BURST }, (_, i) =>
      request(agent, `${url}/api/florent/conversations`, 'POST', apiKey, {
        title: `drain-${i}`,
      }),
    );
    // Every request has been handed to the kernel, on an accepted connection, before the signal:
    // the server reads them before it closes connections it finds idle.
    await Promise.all([slowStarted, ...burst.map((r) => r.sent)]);
    const exit = server.stop('SIGTERM');
    await server.waitForLog((entry) => entry.msg === 'shutting down: draining in-flight requests');
    slow.end(body.slice(10));
    const statuses = await Promise.all([
      ...burst.map((r) => r.status.catch((error: Error) => `failed: ${error.message}`)),
      slowStatus,
    ]);
    agent.destroy();
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    expect(await exit).toBe(0);
    server = undefined;
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
  // A failure to send shows in `status`.
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
