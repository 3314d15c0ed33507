/**
 * PARLEY_RAG_OPEN_AS in the production server: validated at start-up (a bad value stops it,
 * naming the variable), and while it is on, every start logs a warning that says so and which
 * user the RAG face acts as; without it, no such warning and the RAG face wants credentials.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serverBuild } from '../src/production.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-rag-open-'));
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const isWarning = (entry: Record<string, unknown>) =>
  typeof entry.msg === 'string' && entry.msg.startsWith('PARLEY_RAG_OPEN_AS is on');

describe('PARLEY_RAG_OPEN_AS at start-up', () => {
  it('on: a warning at start-up names the user, and the RAG face answers without credentials', async () => {
    server = await startServerProcess({
      PARLEY_DATA_DIR: dataDir,
      PARLEY_RAG_OPEN_AS: 'acme/kiosk',
    });
    const warning = server.logs.find(isWarning);
    expect(warning).toMatchObject({ level: 40, org: 'acme', user: 'kiosk' });
    const unknown = await fetch(`${server.url}/api/conversations/01J00000000000000000000000`);
    expect(unknown.status).toBe(404); // reached the face as kiosk: not 401
    const florent = await fetch(`${server.url}/api/florent/conversations`, { method: 'POST' });
    expect(florent.status).toBe(401);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
  });

  it('off: no warning, and the RAG face wants credentials', async () => {
    server = await startServerProcess({ PARLEY_DATA_DIR: dataDir });
    const unknown = await fetch(`${server.url}/api/conversations/01J00000000000000000000000`, {
      headers: { 'x-request-id': 'rag-open-off' },
    });
    expect(unknown.status).toBe(401);
    // Every line up to this request's has been read by now.
    await server.waitForLog((entry: any) => entry.req?.id === 'rag-open-off');
    expect(server.logs.filter(isWarning)).toEqual([]);
  });

  it('a malformed value stops the server before it listens, naming the variable', async () => {
    const child = spawn(process.execPath, [serverBuild()], {
      env: { ...process.env, PARLEY_DATA_DIR: dataDir, PORT: '0', PARLEY_RAG_OPEN_AS: 'acme' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve)).finally(
      () => child.kill('SIGKILL'),
    );
    expect(code).not.toBe(0);
    expect(output).toContain('PARLEY_RAG_OPEN_AS');
    expect(output).not.toContain('listening');
  });
});
