/**
 * Per-credential and per-IP rate limits. A refused request gets 429 with Retry-After, in the
 * error shape of the API it came through (a REST face's dialect, or tRPC's error envelope).
 *
 * Both limits are counted in one middleware, in express-rate-limit's memory store and with its
 * rule for client keys (an IPv6 client counts per /56). Its own middleware, one per limit, cost
 * ~7% of a rename's instructions: it reads `req.ip` (proxy-addr) several times, runs its
 * configuration checks and awaits at each step on every request (docs/performance.md).
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore } from 'express-rate-limit';
import type { Face } from '../faces/kit/route.ts';
import { faceForPath } from '../faces/index.ts';
import { sendTrpcError } from './trpc-errors.ts';

export interface RateLimits {
  /** Requests per minute for one credential (API key or token); 0 turns the limit off. */
  perCredential: number;
  /** Requests per minute from one client address; 0 turns the limit off. */
  perIp: number;
}

const WINDOW_MS = 60_000;

/** Which limit a hit counts against; each has its own window of counts. */
export type LimitName = 'perIp' | 'perCredential';

export interface Hit {
  limit: LimitName;
  key: string;
}

/** A key's hits in the current window, and when the window ends (ms since the epoch). */
export interface HitCount {
  hits: number;
  resetAt: number;
}

/**
 * Counts hits and answers each key's total in its window, in the order asked. In one process the
 * counts live in memory here (localHitCounter); with several worker processes the cluster's
 * primary holds them and each worker asks it over IPC (cluster/shared-hits.ts), so one limit
 * holds across all of them.
 */
export type HitCounter = (hits: Hit[]) => Promise<HitCount[]>;

/** Counts in this process's memory: express-rate-limit's store, one per limit, 60 s windows. */
export function localHitCounter(): HitCounter {
  const stores = new Map<LimitName, MemoryStore>();
  const storeOf = (limit: LimitName) => {
    let store = stores.get(limit);
    if (!store) {
      store = new MemoryStore();
      store.init({ windowMs: WINDOW_MS } as Parameters<MemoryStore['init']>[0]);
      stores.set(limit, store);
    }
    return store;
  };
  return (hits) =>
    Promise.all(
      hits.map(async ({ limit, key }) => {
        const { totalHits, resetTime } = await storeOf(limit).increment(key);
        return { hits: totalHits, resetAt: (resetTime ?? new Date()).getTime() };
      }),
    );
}

interface Count {
  limit: number;
  hits: number;
  resetAt: number;
}

/** The one middleware that counts every request against both limits (undefined: both off). */
export function rateLimits(
  limits: RateLimits,
  faces: Face[],
  counter: HitCounter = localHitCounter(),
): RequestHandler | undefined {
  if (limits.perIp <= 0 && limits.perCredential <= 0) return undefined;

  return (req, res, next) => {
    const authorization = req.headers.authorization;
    const hits: Hit[] = [];
    const of: number[] = [];
    if (limits.perIp > 0) {
      hits.push({ limit: 'perIp', key: ipKeyGenerator(req.ip ?? '') });
      of.push(limits.perIp);
    }
    // Only requests that carry a credential; keyed by a hash, so no token sits in memory.
    if (limits.perCredential > 0 && authorization) {
      hits.push({
        limit: 'perCredential',
        key: createHash('sha256').update(authorization).digest('base64url'),
      });
      of.push(limits.perCredential);
    }
    // An anonymous request when only credentials are limited.
    if (hits.length === 0) return next();
    counter(hits)
      .then((counted) => {
        const present: Count[] = counted.map((c, i) => ({ limit: of[i]!, ...c }));
        const now = Date.now();
        const remaining = (c: Count) => Math.max(c.limit - c.hits, 0);
        const secondsLeft = (c: Count) => Math.max(1, Math.ceil((c.resetAt - now) / 1000));
        // IETF draft-7 headers for the limit closest to running out.
        const closest = present.reduce((a, b) => (remaining(b) < remaining(a) ? b : a));
        res.setHeader('RateLimit-Policy', `${closest.limit};w=${WINDOW_MS / 1000}`);
        res.setHeader(
          'RateLimit',
          `limit=${closest.limit}, remaining=${remaining(closest)}, reset=${secondsLeft(closest)}`,
        );
        const exceeded = present.filter((c) => c.hits > c.limit);
        if (exceeded.length === 0) return next();
        refuse(req, res, faces, Math.max(...exceeded.map(secondsLeft)));
      })
      .catch(next);
  };
}

function refuse(req: Request, res: Response, faces: Face[], retryAfterSeconds: number): void {
  res.set('Retry-After', String(retryAfterSeconds));
  const face = faceForPath(faces, req.path);
  if (face) {
    const rendered = face.dialect.render({ kind: 'rate_limited', retryAfterSeconds });
    res
      .status(rendered.status)
      .set(rendered.headers ?? {})
      .json(rendered.body);
  } else if (req.path.startsWith('/trpc')) {
    sendTrpcError(res, 'TOO_MANY_REQUESTS', 'Too many requests.', req.path.slice('/trpc/'.length));
  } else {
    res.status(429).json({ error: 'too_many_requests', message: 'Too many requests.' });
  }
}
