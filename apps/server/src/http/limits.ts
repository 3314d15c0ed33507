/**
 * Per-credential and per-IP rate limits. A refused request gets 429 with Retry-After, in the
 * error shape of the API it came through (a REST face's dialect, or tRPC's error envelope).
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Face } from '../faces/kit/route.ts';
import { faceForPath } from '../faces/index.ts';

export interface RateLimits {
  /** Requests per minute for one credential (API key or token); 0 turns the limit off. */
  perCredential: number;
  /** Requests per minute from one client address; 0 turns the limit off. */
  perIp: number;
}

const WINDOW_MS = 60_000;

export function rateLimits(limits: RateLimits, faces: Face[]): RequestHandler[] {
  const handler = (req: Request, res: Response) => {
    const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil(((resetTime?.getTime() ?? Date.now() + WINDOW_MS) - Date.now()) / 1000),
    );
    res.set('Retry-After', String(retryAfterSeconds));
    const face = faceForPath(faces, req.path);
    if (face) {
      const rendered = face.dialect.render({ kind: 'rate_limited', retryAfterSeconds });
      res
        .status(rendered.status)
        .set(rendered.headers ?? {})
        .json(rendered.body);
    } else if (req.path.startsWith('/trpc')) {
      res.status(429).json({
        error: {
          message: 'Too many requests.',
          code: -32029,
          data: {
            code: 'TOO_MANY_REQUESTS',
            httpStatus: 429,
            path: req.path.slice('/trpc/'.length),
          },
        },
      });
    } else {
      res.status(429).json({ error: 'too_many_requests', message: 'Too many requests.' });
    }
  };
  const common = {
    windowMs: WINDOW_MS,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    handler,
  };
  const middlewares: RequestHandler[] = [];
  if (limits.perIp > 0) {
    middlewares.push(
      rateLimit({
        ...common,
        limit: limits.perIp,
        keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
      }),
    );
  }
  if (limits.perCredential > 0) {
    middlewares.push(
      rateLimit({
        ...common,
        limit: limits.perCredential,
        // Only requests that carry a credential; keyed by a hash, so no token sits in memory.
        skip: (req) => !req.headers.authorization,
        keyGenerator: (req) =>
          createHash('sha256')
            .update(req.headers.authorization ?? '')
            .digest('base64url'),
      }),
    );
  }
  return middlewares;
}
