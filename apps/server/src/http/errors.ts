import { STATUS_CODES, type Server } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isDatabaseUnavailable } from '@parley/api';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Unknown paths answer JSON, never Express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `No route for ${req.method} ${req.path}` });
};

/**
 * Last resort: errors from body parsing or static files keep their 4xx status (malformed JSON is
 * 400, too large is 413, a missing asset 404), named after it; anything else is logged with the
 * request id and answered as a bare 500.
 */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const status = httpStatusOf(error);
  if (status >= 500) req.log.error({ err: error }, 'unhandled error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json(
    status === 503
      ? { error: 'unavailable', message: 'The database is unavailable; retry shortly.' }
      : status >= 500
        ? { error: 'internal_error', message: 'Internal server error' }
        : {
            error: errorNameOf(status),
            message: clientMessageOf(error, status),
          },
  );
};

/**
 * The body parser's messages say what was wrong with the body ("request entity too large"); any
 * other error's message may name server paths (a missing static file's ENOENT), so only the
 * status text goes out.
 */
function clientMessageOf(error: unknown, status: number): string {
  const fromBodyParser =
    typeof error === 'object' && error !== null && 'type' in error && error instanceof Error;
  return fromBodyParser ? error.message : (STATUS_CODES[status] ?? 'Bad Request');
}

/** 404 → "not_found", 413 → "payload_too_large": the status text in the JSON bodies' style. */
function errorNameOf(status: number): string {
  return (STATUS_CODES[status] ?? 'Bad Request').toLowerCase().replace(/[^a-z]+/g, '_');
}

function httpStatusOf(error: unknown): number {
  if (isDatabaseUnavailable(error)) return 503;
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = error.status;
    if (typeof status === 'number' && status >= 400 && status < 600) return status;
  }
  return 500;
}

/**
 * Requests Node's HTTP parser cannot read never reach Express; answer them in JSON too, as a
 * neutral 400 (or 408 for a timeout), instead of Node's bare response. Each is logged (no request
 * id exists yet) with how many bytes the server had read from the connection by then.
 */
export function answerUnparseableRequests(server: Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (error.code === 'ECONNRESET' && !socket.readable)) {
      socket.destroy();
      return;
    }
    const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const connection = socket instanceof Socket ? socket : undefined;
    logger.warn(
      {
        code: error.code,
        bytesRead: connection?.bytesRead,
        remoteAddress: connection?.remoteAddress,
        remotePort: connection?.remotePort,
      },
      timeout ? 'request timed out before it arrived' : 'unparseable request',
    );
    const body = JSON.stringify({ error: timeout ? 'request_timeout' : 'bad_request' });
    socket.end(
      `HTTP/1.1 ${timeout ? '408 Request Timeout' : '400 Bad Request'}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
