/**
 * The web app's sign-in: a person pastes an API key, or tries the demo when the operator turned
 * demo mode on, and the server answers with a session cookie (httpOnly, SameSite=Lax, Secure over
 * TLS) carrying a signed session token. The tRPC context reads the cookie when a request has no
 * Authorization header. The token rules live in packages/api (auth/session-tokens.ts).
 *
 *   GET    /auth/session   who is signed in (or null), and whether the demo is offered
 *   POST   /auth/session   { apiKey } or { demo: true }: sets the cookie
 *   DELETE /auth/session   clears it
 */
import {
  createDemoSession,
  parseBearer,
  sessionIdentityOfApiKey,
  type ApiDeps,
  type SessionIdentity,
  type SessionTokens,
} from '@parley/api';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';

export const SESSION_COOKIE = 'parley_session';
/** The one path these routes answer. */
export const SESSION_PATH = '/auth/session';

export interface SessionOptions {
  tokens: SessionTokens;
  /** Offer "Try the demo" (PARLEY_DEMO). */
  demo: boolean;
  /** How long demo visitors are kept (PARLEY_DEMO_TTL_HOURS), told to the page. */
  demoTtlMs?: number | undefined;
}

const signInBody = z.union([
  z.object({ apiKey: z.string().trim().min(1).max(200) }).strict(),
  z.object({ demo: z.literal(true) }).strict(),
]);

/**
 * A browser sends SameSite=Lax cookies on same-site requests too (a sibling subdomain), and on
 * top-level cross-site navigations; the Fetch Metadata header tells those apart, so the cookie
 * only ever authenticates requests made by the app's own pages (or by non-browser clients).
 */
function fromAnotherSite(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}

function sessionCookie(req: Request): string | undefined {
  if (fromAnotherSite(req)) return undefined;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[\w.-]{1,4096}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** The request's credentials as an Authorization header: the header itself, else the cookie's token. */
export function authorizationOf(req: Request): string | undefined {
  if (req.headers.authorization) return req.headers.authorization;
  const token = sessionCookie(req);
  return token && `Bearer ${token}`;
}

const describe = (identity: SessionIdentity) => ({
  org: identity.org,
  name: identity.user,
  demo: identity.demo === true,
});

export function sessionRoutes(deps: ApiDeps, options: SessionOptions): Router {
  const router = express.Router();

  const clear = (res: Response) =>
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' });

  // What the page may offer: the demo, and how long its conversations are kept.
  const offer = options.demo
    ? { demo: true, demoTtlHours: (options.demoTtlMs ?? 24 * 3_600_000) / 3_600_000 }
    : { demo: false };

  router.get(SESSION_PATH, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const token = sessionCookie(req) ?? parseBearer(req.headers.authorization) ?? undefined;
    const identity = token ? await options.tokens.verify(token) : null;
    // Verified and still backed by a user (and an active key): the same check every call makes.
    const valid = identity && (await deps.authenticate(`Bearer ${token}`));
    if (!valid && sessionCookie(req)) clear(res);
    res.json({ user: valid && identity ? describe(identity) : null, ...offer });
  });

  router.post(SESSION_PATH, express.json({ limit: '4kb' }), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (fromAnotherSite(req)) {
      res.status(403).json({ error: 'forbidden', message: 'Sign in from Parley’s own pages.' });
      return;
    }
    const body = signInBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({
        error: 'invalid_body',
        message: 'Send {"apiKey": "pk_…"} or {"demo": true}.',
      });
      return;
    }
    let identity: SessionIdentity | null;
    if ('demo' in body.data) {
      if (!options.demo) {
        res.status(403).json({ error: 'demo_disabled', message: 'Demo mode is off here.' });
        return;
      }
      identity = await createDemoSession(deps.db, deps.events);
      req.log.info({ user: identity.user }, 'demo visitor created');
    } else {
      identity = await sessionIdentityOfApiKey(deps.db, body.data.apiKey);
      if (!identity) {
        res.status(401).json({
          error: 'unauthorized',
          message: 'That API key is not valid: unknown or revoked.',
        });
        return;
      }
    }
    const { token, expiresAt } = await options.tokens.mint(identity);
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      // req.secure: TLS here, or X-Forwarded-Proto: https from a proxy trusted by PARLEY_TRUST_PROXY.
      secure: req.secure,
      path: '/',
      expires: expiresAt,
    });
    res.json({ user: describe(identity), ...offer });
  });

  router.delete(SESSION_PATH, (_req, res) => {
    clear(res).status(204).end();
  });

  return router;
}
