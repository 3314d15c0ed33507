/**
 * Export and import over plain HTTP, for scripts (and the web app's download links): the same
 * services as conversation.export and conversation.import, but streamed both ways, so neither an
 * export of every conversation nor a large import file is ever whole in memory.
 *
 *   GET  /api/export/conversations.ndjson        all of the caller's conversations, one per line
 *   GET  /api/export/conversations/{id}.json     one conversation, Parley's JSON document
 *   GET  /api/export/conversations/{id}.md       one conversation, Markdown
 *   POST /api/import[?format=parley|chatgpt]     the file as the body; answers the report
 *
 * Authenticated like every API (an API key, a session JWT, or the web app's cookie); errors are
 * Parley's neutral JSON shape `{ error, message }`, an import's with `at` (where the file broke).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  exportAllConversations,
  ImportFileError,
  importConversations,
  IMPORT_FORMATS,
  openConversationExport,
  type ApiDeps,
  type Principal,
} from '@parley/api';
import { TRPCError } from '@trpc/server';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { authorizationOf } from './session.ts';

export const EXPORT_ALL_PATH = '/api/export/conversations.ndjson';
export const EXPORT_ONE_PATH = '/api/export/conversations/:file';
export const IMPORT_PATH = '/api/import';
/** Every path these routes answer is at or under one of these. */
export const PORTABILITY_PREFIXES = ['/api/export', IMPORT_PATH];

/** The media types an import body may have (a form or text/plain is refused: no CSRF by form). */
const IMPORT_TYPES = ['application/json', 'application/x-ndjson', 'application/jsonl'];

export interface PortabilityOptions {
  /** The largest import file, in bytes (PARLEY_IMPORT_LIMIT). */
  importLimitBytes: number;
}

type ErrorBody = { error: string; message: string; at?: unknown };

function fail(
  res: Response,
  status: number,
  body: ErrorBody,
  headers: Record<string, string> = {},
) {
  res.status(status).set(headers).json(body);
}

const notFound = (res: Response) =>
  fail(res, 404, { error: 'not_found', message: 'Conversation not found.' });

/** Resolves the caller, or answers 401 and resolves undefined. */
async function callerOf(deps: ApiDeps, req: Request, res: Response) {
  const authorization = authorizationOf(req);
  const principal = await deps.authenticate(authorization);
  if (!principal) {
    fail(
      res,
      401,
      {
        error: 'unauthorized',
        message: authorization ? 'Invalid credentials.' : 'Missing credentials.',
      },
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  return principal ?? undefined;
}

/** The client went away mid-download: nothing to report. */
const clientGone = (error: unknown) =>
  (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';

/** Writes text chunks with the socket's backpressure; a failure after the first byte cuts it. */
async function sendChunks(
  req: Request,
  res: Response,
  chunks: AsyncIterable<string>,
  type: string,
  filename: string,
) {
  res.status(200).set({
    'Content-Type': type,
    'Content-Disposition': `attachment; filename="${filename}"`,
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  try {
    await pipeline(Readable.from(chunks), res);
  } catch (error) {
    if (clientGone(error)) return;
    req.log.error({ err: error }, 'export failed after it began');
    res.destroy();
  }
}

/** The client went away before its upload ended: there is no one to answer. */
class UploadAborted extends Error {}

/**
 * Writes the request body to a file; false when it passes the limit (then the rest is not read,
 * and the socket stays open for the answer, which closes it).
 */
function spool(req: Request, file: string, limit: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    let total = 0;
    const stop = (error: unknown) => {
      req.off('data', onData);
      out.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        req.off('data', onData);
        req.pause();
        out.destroy();
        return resolve(false);
      }
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    };
    req.on('data', onData);
    req.once('end', () => out.end(() => resolve(total <= limit)));
    // A client that goes away mid-upload: no 'end' will come; give up on the file.
    req.once('close', () => {
      if (!req.complete) stop(new UploadAborted());
    });
    req.once('error', stop);
    out.once('error', stop);
  });
}

function importFailure(res: Response, error: ImportFileError) {
  const status = error.problem === 'too_large' ? 413 : 400;
  const body: ErrorBody = { error: error.problem, message: error.message };
  if (error.at) body.at = error.at;
  fail(res, status, body, status === 413 ? { Connection: 'close' } : {});
}

export function portabilityRoutes(deps: ApiDeps, options: PortabilityOptions): Router {
  const router = express.Router();
  const handle =
    (serve: (req: Request, res: Response, caller: Principal) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      callerOf(deps, req, res)
        .then((caller) => caller && serve(req, res, caller))
        .catch(next);
    };

  router.get(
    EXPORT_ALL_PATH,
    handle(async (req, res, caller) => {
      const day = new Date().toISOString().slice(0, 10);
      await sendChunks(
        req,
        res,
        exportAllConversations(deps.db, caller),
        'application/x-ndjson; charset=utf-8',
        `parley-conversations-${day}.ndjson`,
      );
    }),
  );

  router.get(
    EXPORT_ONE_PATH,
    handle(async (req, res, caller) => {
      const match = /^(.+)\.(json|md)$/.exec(String(req.params.file));
      if (!match) return notFound(res);
      const format = match[2] === 'json' ? 'json' : 'markdown';
      let opened;
      try {
        opened = await openConversationExport(deps.db, caller, match[1]!, format);
      } catch (error) {
        if (error instanceof TRPCError && error.code === 'NOT_FOUND') return notFound(res);
        throw error;
      }
      await sendChunks(
        req,
        res,
        opened.chunks,
        format === 'json' ? 'application/json; charset=utf-8' : 'text/markdown; charset=utf-8',
        `parley-${opened.id}.${match[2]}`,
      );
    }),
  );

  router.post(
    IMPORT_PATH,
    handle(async (req, res, caller) => {
      const format = req.query.format;
      if (
        format !== undefined &&
        !(typeof format === 'string' && (IMPORT_FORMATS as readonly string[]).includes(format))
      ) {
        return fail(res, 400, {
          error: 'bad_request',
          message: `format must be one of ${IMPORT_FORMATS.join(', ')}.`,
        });
      }
      if (!req.is(IMPORT_TYPES)) {
        return fail(res, 415, {
          error: 'unsupported_media_type',
          message: `Send the file as ${IMPORT_TYPES.join(' or ')}.`,
        });
      }
      const declared = Number(req.headers['content-length']);
      if (declared > options.importLimitBytes) {
        return importFailure(
          res,
          new ImportFileError(
            'too_large',
            `The file is ${declared} bytes; the import limit is ${options.importLimitBytes}.`,
          ),
        );
      }
      // The body goes to a temporary file first: the import reads it twice (once to check the
      // whole file, once to write), and the request is not held open while the database works.
      const dir = await mkdtemp(path.join(tmpdir(), 'parley-import-'));
      const file = path.join(dir, 'upload');
      try {
        const complete = await spool(req, file, options.importLimitBytes).catch(
          (error: unknown) => {
            if (error instanceof UploadAborted) return undefined;
            throw error;
          },
        );
        if (complete === undefined) return;
        if (!complete) {
          return importFailure(
            res,
            new ImportFileError(
              'too_large',
              `The file is larger than the import limit of ${options.importLimitBytes} bytes.`,
            ),
          );
        }
        try {
          const report = await importConversations(
            deps.db,
            caller,
            () => createReadStream(file, { highWaterMark: 256 * 1024 }),
            {
              format: format as (typeof IMPORT_FORMATS)[number] | undefined,
              maxBytes: options.importLimitBytes,
            },
            deps.events,
          );
          res.status(200).json(report);
        } catch (error) {
          if (error instanceof TRPCError && error.cause instanceof ImportFileError) {
            return importFailure(res, error.cause);
          }
          throw error;
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }),
  );

  // Known paths, other methods: 405 with Allow, in the same shape.
  for (const [route, allow] of [
    [EXPORT_ALL_PATH, 'GET, HEAD'],
    [EXPORT_ONE_PATH, 'GET, HEAD'],
    [IMPORT_PATH, 'POST'],
  ] as const) {
    router.all(route, (req, res) =>
      fail(
        res,
        405,
        { error: 'method_not_allowed', message: `${req.method} is not allowed here.` },
        { Allow: allow },
      ),
    );
  }
  return router;
}
