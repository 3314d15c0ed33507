import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('configuration from the environment', () => {
  it('has safe defaults: loopback, port 3000, the repo data directory, local titles', () => {
    const config = loadConfig({ INIT_CWD: '/tmp' });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      bodyLimit: '64kb',
      trpcBodyLimitBytes: 4 * 1024 * 1024,
      logLevel: 'info',
      titles: undefined,
    });
    expect(config.database).toEqual({
      dataDir: path.resolve(import.meta.dirname, '../../../data'),
    });
  });

  it('the three size settings: one form (64kb, 4MB, 1gb), in bytes where the server counts', () => {
    expect(loadConfig({ PARLEY_BODY_LIMIT: '1MB' }).bodyLimit).toBe('1MB');
    expect(loadConfig({ PARLEY_TRPC_BODY_LIMIT: '512kb' }).trpcBodyLimitBytes).toBe(512 * 1024);
    expect(loadConfig({ PARLEY_IMPORT_LIMIT: '1gb' }).importLimitBytes).toBe(1024 ** 3);
    for (const name of ['PARLEY_BODY_LIMIT', 'PARLEY_TRPC_BODY_LIMIT', 'PARLEY_IMPORT_LIMIT']) {
      for (const bad of ['4 mb', '1.5mb', '64', 'kb', '-1kb', '2tb']) {
        expect(() => loadConfig({ [name]: bad }), `${name}=${bad}`).toThrow(
          new RegExp(`${name}: a size such as`),
        );
      }
    }
  });

  it('PARLEY_WORKERS: one process unless set; a count, or auto for one per CPU', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ PARLEY_WORKERS: '' }).workers).toBe(1);
    expect(loadConfig({ PARLEY_WORKERS: '4' }).workers).toBe(4);
    expect(loadConfig({ PARLEY_WORKERS: 'auto' }).workers).toBe(availableParallelism());
    for (const bad of ['0', '-1', '1.5', 'two', 'AUTO ', '100000']) {
      expect(() => loadConfig({ PARLEY_WORKERS: bad }), bad).toThrow(/PARLEY_WORKERS: must be/);
    }
  });

  it('resolves relative paths from the directory the command was typed in', () => {
    expect(loadConfig({ INIT_CWD: '/srv/parley', PARLEY_DATA_DIR: 'state' }).database).toEqual({
      dataDir: '/srv/parley/state',
    });
    expect(loadConfig({ INIT_CWD: '/srv', DATABASE_URL: 'file:./x.db' }).database).toEqual({
      url: 'file:/srv/x.db',
    });
    // PostgreSQL's URL goes to its driver as written.
    const pg = 'postgresql://parley:secret@db.internal:5432/parley';
    expect(loadConfig({ DATABASE_URL: pg }).database).toEqual({ url: pg });
    expect(loadConfig({ DATABASE_URL: 'postgres://db/parley' }).database).toEqual({
      url: 'postgres://db/parley',
    });
  });

  it('PARLEY_RAG_OPEN_AS is off unless set, and names an organization and a user', () => {
    expect(loadConfig({}).ragOpenAs).toBeUndefined();
    expect(loadConfig({ PARLEY_RAG_OPEN_AS: '' }).ragOpenAs).toBeUndefined();
    expect(loadConfig({ PARLEY_RAG_OPEN_AS: 'acme/kiosk' }).ragOpenAs).toEqual({
      org: 'acme',
      user: 'kiosk',
    });
    // Split at the first slash: a user name may hold one.
    expect(loadConfig({ PARLEY_RAG_OPEN_AS: 'acme/front/desk' }).ragOpenAs).toEqual({
      org: 'acme',
      user: 'front/desk',
    });
  });

  it('selects the OpenAI-compatible title generator when its URL is set', () => {
    const config = loadConfig({
      PARLEY_TITLE_API_URL: 'http://127.0.0.1:11434/v1',
      PARLEY_TITLE_TIMEOUT_MS: '2500',
    });
    expect(config.titles).toEqual({
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
      model: 'gpt-4o-mini',
      timeoutMs: 2500,
    });
  });

  it('names conversations automatically unless turned off; keeps demo visitors 24 h unless told', () => {
    expect(loadConfig({})).toMatchObject({ autoTitles: true, session: { demoTtlMs: 86_400_000 } });
    expect(loadConfig({ PARLEY_AUTO_TITLES: '0' }).autoTitles).toBe(false);
    expect(loadConfig({ PARLEY_AUTO_TITLES: 'on' }).autoTitles).toBe(true);
    expect(loadConfig({ PARLEY_DEMO_TTL_HOURS: '0.5' }).session.demoTtlMs).toBe(1_800_000);
  });

  it.each([
    [{ PARLEY_AUTO_TITLES: 'maybe' }, 'PARLEY_AUTO_TITLES'],
    [{ PARLEY_DEMO_TTL_HOURS: '0' }, 'PARLEY_DEMO_TTL_HOURS'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: '/var/lib/parley.db' }, 'DATABASE_URL'],
    [{ PARLEY_JWT_SECRET: 'short' }, 'PARLEY_JWT_SECRET'],
    [
      { PARLEY_JWT_SECRET: 'x'.repeat(32), PARLEY_JWKS_URL: 'https://idp.example/jwks' },
      'PARLEY_JWKS_URL',
    ],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ PARLEY_BODY_LIMIT: 'huge' }, 'PARLEY_BODY_LIMIT'],
    [{ PARLEY_TRPC_BODY_LIMIT: '4 mb' }, 'PARLEY_TRPC_BODY_LIMIT'],
    [{ PARLEY_RAG_OPEN_AS: 'acme' }, 'PARLEY_RAG_OPEN_AS'],
    [{ PARLEY_RAG_OPEN_AS: '/kiosk' }, 'PARLEY_RAG_OPEN_AS'],
    [{ PARLEY_RAG_OPEN_AS: 'acme/' }, 'PARLEY_RAG_OPEN_AS'],
    [{ PARLEY_RAG_OPEN_AS: 'acme/ki\nosk' }, 'PARLEY_RAG_OPEN_AS'],
  ])('refuses %j, naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}:`));
  });
});
