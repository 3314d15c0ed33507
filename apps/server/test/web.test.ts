/**
 * The production server serves the web app's build: index.html for client-side routes (deep
 * links) but never for API paths, hashed assets cached for a year, index.html never cached.
 * A stand-in build in a temporary directory keeps this independent of the web app's own build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'parley-web-'));
const dist = path.join(dir, 'dist');
const INDEX = '<!doctype html><html><head><title>Parley</title></head><body>stand-in</body></html>';
const ASSET = 'app-3f9a1c.js';
let server: ServerProcess;

beforeAll(async () => {
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), INDEX);
  // The build's list of the app's own paths (apps/web writes it from src/routes.ts).
  writeFileSync(
    path.join(dist, 'app-routes.json'),
    JSON.stringify(['^/$', '^/c/[\\w-]{1,64}/?$', '^/settings(?:/.*)?$']),
  );
  writeFileSync(path.join(dist, 'assets', ASSET), 'console.log("app");\n');
  server = await startServerProcess({
    PARLEY_DATA_DIR: path.join(dir, 'data'),
    PARLEY_WEB_DIST: dist,
  });
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const get = (route: string, accept = 'text/html,application/xhtml+xml,*/*;q=0.8') =>
  fetch(`${server.url}${route}`, { headers: { accept } });

describe('the web app in production', () => {
  it('answers a deep link that asks for HTML with index.html, never cached', async () => {
    for (const route of ['/', '/c/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/settings/keys?tab=1']) {
      const response = await get(route);
      expect(response.status, route).toBe(200);
      expect(response.headers.get('content-type'), route).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control'), route).toBe('no-cache');
      expect(await response.text(), route).toBe(INDEX);
    }
  });

  it('answers only the app’s own paths with index.html: an API path or a mistyped one is a JSON 404', async () => {
    for (const route of [
      '/trpc',
      '/trpc/nope',
      '/api',
      '/api/nope',
      '/api/florent/x',
      '/v1',
      '/v1/x',
      '/v2/x',
      '/health',
      '/c',
      '/c/a/b',
    ]) {
      const response = await get(route);
      expect(response.status, route).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('content-type'), route).toMatch(/^application\/json/);
      expect(await response.text(), route).not.toContain('stand-in');
    }
  });

  it('answers a request that does not ask for HTML with the JSON 404', async () => {
    const response = await get('/c/01ARZ3NDEKTSV4RRFFQ69G5FAV', 'application/json');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('serves hashed assets cached for a year, and a missing one as 404, not the page', async () => {
    const asset = await get(`/assets/${ASSET}`, '*/*');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log("app");\n');
    const missing = await get('/assets/app-000000.js');
    expect(missing.status).toBe(404);
    // Named after its status, and without the server's file paths.
    const body = await missing.text();
    expect(JSON.parse(body)).toEqual({ error: 'not_found', message: 'Not Found' });
    expect(body).not.toContain(dist);
  });
});
