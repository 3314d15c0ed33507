/**
 * Baseline: Express 5 + better-sqlite3 prepared statements, doing what Parley does for Florent's
 * rename (PATCH /api/florent/conversations/:id): the bearer API key looked up by its SHA-256 hash
 * (before the body is read), the JSON body parsed with the same 64 KB limit, the id, title and
 * If-Match checked by Parley's rules, one `UPDATE … RETURNING` scoped to the owner, and Florent's
 * response (with ETag) or error shapes. No request logging, no router, no ORM.
 */
import { createServer } from 'node:http';
import { etagOf } from '@parley/api/rules';
import express, { type NextFunction, type Request, type Response } from 'express';
import { bodyParserErrors, jsonBody, reply, unknownPath } from './express-kit.ts';
import {
  apiKeyHash,
  checkRename,
  florentBody,
  NOT_FOUND,
  PRECONDITION_FAILED,
  UNAUTHORIZED,
} from './rules.ts';
import { requireEnv, serve } from './serve.ts';
import { openRenameStore, type KeyRow } from './sql.ts';

const store = openRenameStore(requireEnv('BENCH_DB_FILE'));
const app = express();
app.disable('x-powered-by');

app.get('/healthz', (_req, res) => {
  store.ping();
  res.json({ status: 'ok' });
});

function authenticate(req: Request, res: Response, next: NextFunction) {
  const hash = apiKeyHash(req.headers.authorization);
  const principal = hash ? store.principal(hash) : null;
  if (!principal) return reply(res, UNAUTHORIZED);
  res.locals.principal = principal;
  next();
}

app.patch('/api/florent/conversations/:id', authenticate, jsonBody, (req, res) => {
  const { userId } = res.locals.principal as KeyRow;
  const request = checkRename(req.params.id as string, req.body, req.get('if-match'));
  if (!request.ok) return reply(res, request.reply);
  if (!request.id) return reply(res, NOT_FOUND);
  const result = store.rename(request.id, userId, request.title, request.expectedVersion);
  if (result.kind === 'ok') {
    res.set('ETag', etagOf(result.row.version)).json(florentBody(result.row));
  } else {
    reply(res, result.kind === 'not_found' ? NOT_FOUND : PRECONDITION_FAILED);
  }
});

app.use(bodyParserErrors);
app.use(unknownPath);

await serve(createServer(app), () => store.close());
