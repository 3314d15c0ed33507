import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** This request's id, also sent back as X-Request-Id. */
    id: string;
    /** A logger whose lines name this request. */
    log: Logger;
  }
}

// A caller's own request id is kept when it is short and printable, so logs join across services.
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * One log line per request (`request completed`, or `request aborted` when the client went away
 * first), with a request id that is also sent back as X-Request-Id. The request's child logger is
 * made only when something logs through it: pino-http made one for every request, binding and
 * redacting the request eagerly, which cost ~8% of a rename's CPU with the line never written at
 * the production level (docs/performance.md).
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    let log: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get: () => (log ??= logger.child({ req: { id, method: req.method, url: req.originalUrl } })),
    });
    // Health probes every few seconds would drown the rest.
    if (req.url !== '/healthz') {
      const started = performance.now();
      const done = () => {
        res.off('finish', done);
        res.off('close', done);
        const level = res.statusCode >= 500 ? 'error' : 'info';
        if (!logger.isLevelEnabled(level)) return;
        req.log[level](
          {
            res: { statusCode: res.statusCode },
            responseTime: Math.round(performance.now() - started),
          },
          res.writableFinished ? 'request completed' : 'request aborted',
        );
      };
      res.on('finish', done);
      res.on('close', done);
    }
    next();
  };
}
