import type { Db } from '@parley/db';
import type { RequestHandler } from 'express';

/**
 * 200 when the database answers a query, 503 saying the database is down otherwise (so a load
 * balancer stops routing here until it answers again).
 */
export function healthHandler(db: Db): RequestHandler {
  return async (req, res) => {
    try {
      await db.$queryRaw`SELECT 1`;
      res.json({ status: 'ok' });
    } catch (error) {
      req.log.error({ err: error }, 'health check failed');
      res.status(503).json({ status: 'unavailable', database: 'down' });
    }
  };
}
