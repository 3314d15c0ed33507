/**
 * Reference: Node's `http` module + better-sqlite3, the same rename with the same rules and
 * statements as the Express baseline, minus Express: a hand-written route match, body reader
 * (64 KB limit) and JSON replies. It shows what the framework itself costs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { etagOf } from '@parley/api/rules';
import {
  apiKeyHash,
  checkRename,
  florentBody,
  MALFORMED_JSON,
  NOT_FOUND,
  PRECONDITION_FAILED,
  TOO_LARGE,
  UNAUTHORIZED,
  type FlorentReply,
} from './rules.ts';
import { requireEnv, serve } from './serve.ts';
import { openRenameStore } from './sql.ts';

const BODY_LIMIT = 64 * 1024;
const RENAME_PATH = /^\/api\/florent\/conversations\/([^/?#]+)\/?(?:\?.*)?$/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

const store = openRenameStore(requireEnv('BENCH_DB_FILE'));

function send(res: ServerResponse, { status, body }: FlorentReply, etag?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  };
  if (etag) headers.etag = etag;
  res.writeHead(status, headers).end(text);
}

/** The parsed JSON body; undefined when it is not JSON (as express.json leaves it). */
function readBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'];
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(new BodyError(TOO_LARGE));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (!type || !JSON_TYPE.test(type)) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new BodyError(MALFORMED_JSON));
      }
    });
  });
}

class BodyError extends Error {
  constructor(readonly reply: FlorentReply) {
    super(String(reply.status));
  }
}

async function rename(req: IncomingMessage, res: ServerResponse, rawId: string): Promise<void> {
  const hash = apiKeyHash(req.headers.authorization);
  const principal = hash ? store.principal(hash) : null;
  if (!principal) return send(res, UNAUTHORIZED);
  let body: unknown;
  try {
    body = await readBody(req);
  } catch (error) {
    return send(res, error instanceof BodyError ? error.reply : MALFORMED_JSON);
  }
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    return send(res, NOT_FOUND);
  }
  const ifMatch = req.headers['if-match'];
  const request = checkRename(id, body, typeof ifMatch === 'string' ? ifMatch : undefined);
  if (!request.ok) return send(res, request.reply);
  if (!request.id) return send(res, NOT_FOUND);
  const result = store.rename(request.id, principal.userId, request.title, request.expectedVersion);
  if (result.kind === 'ok') {
    return send(res, { status: 200, body: florentBody(result.row) }, etagOf(result.row.version));
  }
  send(res, result.kind === 'not_found' ? NOT_FOUND : PRECONDITION_FAILED);
}

const server = createServer((req, res) => {
  if (req.url === '/healthz' && req.method === 'GET') {
    store.ping();
    return send(res, { status: 200, body: { status: 'ok' } });
  }
  const match = RENAME_PATH.exec(req.url ?? '');
  if (!match?.[1]) return send(res, NOT_FOUND);
  if (req.method !== 'PATCH') {
    res.setHeader('allow', 'PATCH');
    return send(res, { status: 405, body: { error: 'method_not_allowed', allow: 'PATCH' } });
  }
  rename(req, res, match[1]).catch((error: unknown) => {
    console.error(error);
    if (!res.headersSent) send(res, { status: 500, body: { error: 'internal_error' } });
  });
});

await serve(server, () => store.close());
