/**
 * Naive: Express 5 + Prisma 7, the obvious implementation of Florent's rename: find the API key
 * by hash (with its user), find the conversation by id and owner, then update it by id (three
 * queries; the check-then-update is the textbook version, racy with If-Match under concurrency).
 * The Prisma client and its SQLite settings are Parley's own (openDatabase: WAL,
 * synchronous=NORMAL, the same durability), but with the stock adapter's statement handling
 * (every query prepared anew): keeping prepared statements is one of Parley's optimizations
 * (patches/), not something the obvious implementation has. The request rules are the same as the
 * other baselines'.
 */
import { createServer } from 'node:http';
import { etagOf } from '@parley/api/rules';
import { openDatabase } from '@parley/db';
import express, { type NextFunction, type Request, type Response } from 'express';
import { bodyParserErrors, jsonBody, reply, unknownPath } from './express-kit.ts';
import { apiKeyHash, checkRename, NOT_FOUND, PRECONDITION_FAILED, UNAUTHORIZED } from './rules.ts';
import { requireEnv, serve } from './serve.ts';

const database = await openDatabase(
  { url: `file:${requireEnv('BENCH_DB_FILE')}` },
  { statementCacheSize: 0 },
);
const { db } = database;
const app = express();
app.disable('x-powered-by');

app.get('/healthz', async (_req, res) => {
  await db.$queryRaw`SELECT 1`;
  res.json({ status: 'ok' });
});

async function authenticate(req: Request, res: Response, next: NextFunction) {
  const hash = apiKeyHash(req.headers.authorization);
  const key = hash
    ? await db.apiKey.findUnique({ where: { hash }, include: { user: true } })
    : null;
  if (!key || key.revokedAt) return reply(res, UNAUTHORIZED);
  res.locals.userId = key.userId;
  next();
}

app.patch('/api/florent/conversations/:id', authenticate, jsonBody, async (req, res) => {
  const userId = res.locals.userId as string;
  const request = checkRename(req.params.id as string, req.body, req.get('if-match'));
  if (!request.ok) return reply(res, request.reply);
  const found =
    request.id && (await db.conversation.findFirst({ where: { id: request.id, userId } }));
  if (!found) return reply(res, NOT_FOUND);
  if (request.expectedVersion !== undefined && found.version !== request.expectedVersion) {
    return reply(res, PRECONDITION_FAILED);
  }
  const c = await db.conversation.update({
    where: { id: found.id },
    data: {
      title: request.title,
      titleSource: 'user',
      version: { increment: 1 },
      updatedAt: new Date(),
      updatedById: userId,
    },
  });
  res.set('ETag', etagOf(c.version)).json({
    conversation: {
      _id: c.id,
      userId: c.userId,
      title: c.title,
      model: c.model,
      messageCount: c.messageCount,
      lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    },
  });
});

app.use(bodyParserErrors);
app.use(unknownPath);

await serve(createServer(app), () => database.close());
