/**
 * The web app's client-side routes get index.html; a page request under an API's prefix (tRPC and
 * every face's namespace) gets that API's JSON answer instead, never the app.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-web-'));
const webDist = mkdtempSync(path.join(tmpdir(), 'parley-web-dist-'));
const INDEX = '<!doctype html><title>the app</title>';
let server: ServerProcess;

beforeAll(async () => {
  writeFileSync(path.join(webDist, 'index.html'), INDEX);
  server = await startServerProcess({ PARLEY_DATA_DIR: dataDir, PARLEY_WEB_DIST: webDist });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(webDist, { recursive: true, force: true });
});

const page = (route: string) =>
  fetch(`${server.url}${route}`, { headers: { accept: 'text/html' } });

describe('the web app beside the APIs', () => {
  it('answers its own routes with index.html', async () => {
    for (const route of ['/', '/conversations/01JD0000000000000000000000', '/settings']) {
      const response = await page(route);
      expect(response.status, route).toBe(200);
      expect(await response.text(), route).toBe(INDEX);
    }
  });

  it('never answers under an API prefix: tRPC and each face (Florent and RAG, Dify, orq.ai)', async () => {
    for (const route of [
      '/trpc',
      '/trpc/nope',
      '/api/florent/nope',
      '/api/nope',
      '/v1/nope',
      '/v2/nope',
    ]) {
      const response = await page(route);
      expect(response.status, route).toBe(404);
      expect(response.headers.get('content-type'), route).toMatch(/^application\/json/);
    }
  });
});
