import type { ErrorRequestHandler, RequestHandler } from 'express';

/** Unknown paths answer JSON, never Express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `No route for ${req.method} ${req.path}` });
};

/**
 * Last resort: errors from body parsing keep their 4xx status (malformed JSON is 400, too large
 * is 413); anything else is logged with the request id and answered as a bare 500.
 */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const status = httpStatusOf(error);
  if (status >= 500) req.log.error({ err: error }, 'unhandled error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .status(status)
    .json(
      status >= 500
        ? { error: 'internal_error', message: 'Internal server error' }
        : { error: 'bad_request', message: error instanceof Error ? error.message : 'Bad request' },
    );
};

function httpStatusOf(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = error.status;
    if (typeof status === 'number' && status >= 400 && status < 600) return status;
  }
  return 500;
}
