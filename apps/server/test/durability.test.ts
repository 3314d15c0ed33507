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
import { runCli, startServerProcess, type ServerProcess } from '../testing/server-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-durability-'));
const env = { PARLEY_DATA_DIR: dataDir };
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const key = () =>
  runCli(['keys', 'create', '--org', 'acme', '--user', 'alice'], env)
    .stdout.trim()
    .split('\n')
    .at(-1)!;

function create(url: string, apiKey: string, title: string) {
  return fetch(`${url}/api/florent/conversations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
}

describe('durability', () => {
  it('keeps every acknowledged write across a SIGKILL mid-load', async () => {
    const apiKey = key();
    server = await startServerProcess(env);
    const { url } = server;
    const acknowledged: string[] = [];
    let stop = false;
    // 8 writers in a loop, bounded in count, until the server dies under them.
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 5_000 && !stop; i++) {
        try {
          const response = await create(url, apiKey, `w${w}-${i}`);
          if (response.status === 201)
            acknowledged.push(((await response.json()) as any).conversation._id);
        } catch {
          return; // connection refused or reset: the server is gone
        }
      }
    });
    // Kill once enough writes were acknowledged (by count, not time: a busy machine is slow).
    for (let waited = 0; acknowledged.length < 200 && waited < 30_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await server.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);

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
  });

  it('drains in-flight requests on SIGTERM and exits 0', async () => {
    const apiKey = key();
    if (!server || server.child.exitCode !== null || server.child.signalCode !== null) {
      server = await startServerProcess(env);
    }
    const { url } = server;
    // Open and warm 40 keep-alive connections first, so every request below travels on a socket
    // the server has accepted: the test is about requests in flight, not connections in a backlog.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 40 });
    await Promise.all(Array.from({ length: 40 }, () => request(agent, `${url}/healthz`, 'GET')));
    // One request is deliberately slow: its headers and half its body are sent before the
    // signal, the rest after. It must still be answered, not cut off.
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
    slow.write(body.slice(0, 10));
    const burst = Array.from({ length: 40 }, (_, i) =>
      request(agent, `${url}/api/florent/conversations`, 'POST', apiKey, {
        title: `drain-${i}`,
      }).then(
        (status) => status,
        (error: Error) => `failed: ${error.message}`,
      ),
    );
    await Promise.race(burst);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exit = server.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    slow.end(body.slice(10));
    const statuses = [...(await Promise.all(burst)), await slowStatus];
    agent.destroy();
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    expect(await exit).toBe(0);
    server = undefined;
  });
});

function request(
  agent: http.Agent,
  url: string,
  method: string,
  apiKey?: string,
  body?: unknown,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      agent,
      method,
      headers: {
        ...(apiKey && { authorization: `Bearer ${apiKey}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
