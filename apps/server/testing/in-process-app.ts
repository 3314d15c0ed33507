/** The Express app in-process on an ephemeral 127.0.0.1 port, against a fresh temporary database. */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApiDeps, createApiKey, type ApiDeps, type AuthConfig } from '@parley/api';
import { createTestDatabase, type TestDatabase } from '@parley/db/testing';
import type { Express } from 'express';
import { createApp, type AppOptions } from '../src/http/app.ts';
import { answerUnparseableRequests } from '../src/http/errors.ts';
import { createLogger } from '../src/logger.ts';
import { openAccessPrincipal } from '../src/open-access.ts';

export interface TestApp {
  url: string;
  app: Express;
  database: TestDatabase;
  /** Everything the server logged. */
  logs(): string;
  /** An API key for a (new or existing) user of an organization. */
  key(org: string, user: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApp(
  options: Partial<
    Pick<
      AppOptions,
      | 'bodyLimit'
      | 'trpcBodyLimitBytes'
      | 'importLimitBytes'
      | 'rateLimits'
      | 'corsOrigins'
      | 'trustProxy'
    >
  > & {
    /** PARLEY_RAG_OPEN_AS's org and user, resolved as the server resolves them at start-up. */
    ragOpenAs?: { org: string; user: string };
  } & Partial<Pick<ApiDeps, 'titleGenerator' | 'autoTitles'>> & { auth?: AuthConfig } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  let logText = '';
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logText += chunk.toString();
        done();
      },
    }),
  );
  const deps = createApiDeps({
    db: database.db,
    auth: options.auth,
    titleGenerator: options.titleGenerator,
    autoTitles: options.autoTitles,
    logger,
  });
  const app = createApp({
    deps,
    logger,
    bodyLimit: options.bodyLimit,
    trpcBodyLimitBytes: options.trpcBodyLimitBytes,
    importLimitBytes: options.importLimitBytes,
    rateLimits: options.rateLimits,
    corsOrigins: options.corsOrigins,
    trustProxy: options.trustProxy,
    ragOpenAs: options.ragOpenAs && (await openAccessPrincipal(database.db, options.ragOpenAs)),
  });
  const server: Server = app.listen(0, '127.0.0.1');
  answerUnparseableRequests(server, logger);
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    app,
    database,
    logs: () => logText,
    key: async (org, user) => (await createApiKey(database.db, org, user)).key,
    async close() {
      server.closeAllConnections();
      server.close();
      await deps.tasks.idle(); // as the server's own shutdown does, before the database goes
      await database.close();
    },
  };
}

/** fetch with a bearer key and a JSON body; returns status, headers and the parsed body. */
export async function call(
  url: string,
  method: string,
  path: string,
  options: {
    key?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text, so a test can say what came back
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
