/**
 * The Content-Security-Policy asks browsers to upgrade the page's requests to https only when the
 * request came over TLS: over plain HTTP under a LAN name the upgraded scripts would fail and the
 * page would stay white. Parley itself speaks plain HTTP, so TLS means a trusted proxy's word.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';

const dataDirs: string[] = [];
let trusting: ServerProcess;
let untrusting: ServerProcess;

/** A server whose PARLEY_TRUST_PROXY is `trust` (this test's requests come from 127.0.0.1). */
function start(trust: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-csp-'));
  dataDirs.push(dataDir);
  return startServerProcess({ PARLEY_DATA_DIR: dataDir, PARLEY_TRUST_PROXY: trust });
}

beforeAll(async () => {
  [trusting, untrusting] = await Promise.all([start('loopback'), start('10.0.0.0/8')]);
});

afterAll(async () => {
  await Promise.all([trusting?.stop(), untrusting?.stop()]);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function policy(server: ServerProcess, route: string, proto?: string) {
  const response = await fetch(`${server.url}${route}`, {
    headers: { accept: 'text/html', ...(proto && { 'x-forwarded-proto': proto }) },
  });
  return response.headers.get('content-security-policy')!;
}

describe('upgrade-insecure-requests', () => {
  it('is sent when a trusted proxy says the request came over https', async () => {
    for (const route of ['/', '/healthz', '/nope', '/docs']) {
      expect(await policy(trusting, route, 'https'), route).toMatch(
        /(^|;)\s*upgrade-insecure-requests\s*(;|$)/,
      );
    }
  });

  it('is not sent over plain HTTP, nor on the word of a proxy not trusted', async () => {
    for (const route of ['/', '/healthz', '/nope', '/docs']) {
      for (const [server, proto] of [
        [trusting, undefined],
        [trusting, 'http'],
        [untrusting, undefined],
        [untrusting, 'https'],
      ] as const) {
        const csp = await policy(server, route, proto);
        expect(csp, `${route} ${proto}`).toContain("default-src 'self'");
        expect(csp, `${route} ${proto}`).not.toContain('upgrade-insecure-requests');
      }
    }
  });

  it('is the only difference between the two policies', async () => {
    const overTls = await policy(trusting, '/healthz', 'https');
    const plain = await policy(trusting, '/healthz');
    expect(overTls.split(';')).toEqual(expect.arrayContaining(plain.split(';')));
    expect(overTls.split(';').filter((d) => !plain.split(';').includes(d))).toEqual([
      'upgrade-insecure-requests',
    ]);
  });
});
