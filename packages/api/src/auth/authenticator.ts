/**
 * Who is calling: the bearer token is an organization API key (looked up by hash), one of
 * Parley's own session tokens (the web app's cookie, see session-tokens.ts), or an external
 * session JWT (signature verified with jose; `sub` names the user and `org` the organization).
 * The answer is a Principal (principal.ts).
 */
import type { Db } from '@parley/db';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyResult } from 'jose';
import { LRUCache } from 'lru-cache';
import { looksLikeApiKey, parseBearer } from '../rules/api-key.ts';
import { hashApiKey } from '../rules/api-key-crypto.ts';
import { NAME_PATTERN } from '../rules/names.ts';
import { ensureOrganization, ensureUser } from './accounts.ts';
import { createCredentialWatch, type CredentialWatch } from './credential-watch.ts';
import type { Principal } from './principal.ts';
import { principalOfSession, type SessionTokens } from './session-tokens.ts';

export interface AuthConfig {
  /** HS256 secret for session tokens (at least 32 bytes). */
  jwtSecret?: string | undefined;
  /** Or an identity provider's JSON Web Key Set (RS256/ES256/EdDSA tokens). */
  jwksUrl?: string | undefined;
  jwtIssuer?: string | undefined;
  jwtAudience?: string | undefined;
  /** Parley's own session tokens (minted at sign-in); independent of the settings above. */
  sessions?: SessionTokens | undefined;
}

export interface Authenticate extends CredentialWatch {
  (authorizationHeader: string | undefined): Promise<Principal | null>;
  /** Forgets every cached credential, so a revocation in this process applies at once. */
  invalidate(): void;
}

/** How long a verified credential is trusted without asking the database again. */
export const CREDENTIAL_CACHE_TTL_MS = 10_000;

export interface AuthenticatorOptions {
  /** How long a verified credential is trusted; 0 turns the cache off. */
  cacheTtlMs?: number | undefined;
  /**
   * Milliseconds since the epoch, for token expiry and the cache's TTL: tests move it by hand
   * instead of sleeping. By default the system clock (the cache then keeps its monotonic one).
   */
  now?: (() => number) | undefined;
  /** How often a credential with an open live stream is verified again (credential-watch.ts). */
  recheckMs?: number | undefined;
}

/**
 * Builds the authenticator once (keys, JWKS cache, credential cache); call it per request.
 *
 * Verified credentials are cached for a few seconds, keyed by the SHA-256 of the token: a request
 * then costs no database round trip (or, for a session token, no signature check and no user
 * upsert). The price is that a key revoked by another process keeps working for up to the TTL;
 * `invalidate()` makes a revocation in this process immediate. Failures are never cached.
 */
export function createAuthenticator(
  db: Db,
  config: AuthConfig,
  options: AuthenticatorOptions = {},
): Authenticate {
  const { cacheTtlMs = CREDENTIAL_CACHE_TTL_MS, now = Date.now } = options;
  const verifySession = createSessionVerifier(config, now);
  const cache =
    cacheTtlMs > 0
      ? new LRUCache<string, Principal>({
          max: 10_000,
          ttl: cacheTtlMs,
          // An injected clock drives the TTL too, read afresh on every lookup.
          ...(options.now && { perf: { now: options.now }, ttlResolution: 0 }),
        })
      : null;

  const resolve = async (
    token: string,
    tokenHash: string,
  ): Promise<[Principal, number?] | null> => {
    if (looksLikeApiKey(token)) {
      const key = await db.apiKey.findUnique({
        where: { hash: tokenHash },
        select: { orgId: true, userId: true, revokedAt: true, user: { select: { name: true } } },
      });
      if (!key || key.revokedAt) return null;
      return [{ orgId: key.orgId, userId: key.userId, userName: key.user.name, via: 'api_key' }];
    }
    // Never trust a cached token at or past its own expiry (the cache drops an entry only once
    // its age exceeds the TTL, and a JWT is expired from its `exp` second on).
    const ttlUntil = (exp: number | undefined) =>
      exp ? Math.min(cacheTtlMs, exp * 1000 - now() - 1) : cacheTtlMs;
    const own = await config.sessions?.verify(token);
    if (own) {
      const principal = await principalOfSession(db, own);
      return principal && [principal, ttlUntil(own.exp)];
    }
    const claims = await verifySession(token);
    if (!claims) return null;
    const org = await ensureOrganization(db, claims.org);
    const user = await ensureUser(db, org.id, claims.sub);
    return [
      { orgId: org.id, userId: user.id, userName: user.name, via: 'session' },
      ttlUntil(claims.exp),
    ];
  };

  /** Looks the token up (no cache) and caches what verified; a refusal also drops its entry. */
  const verify = async (token: string, tokenHash: string): Promise<Principal | null> => {
    const resolved = await resolve(token, tokenHash);
    if (!resolved) {
      cache?.delete(tokenHash);
      return null;
    }
    const [principal, ttl] = resolved;
    if (cache && (ttl === undefined || ttl > 0)) cache.set(tokenHash, principal, { ttl });
    return principal;
  };

  const authenticate = async (header: string | undefined) => {
    const token = parseBearer(header);
    if (!token) return null;
    const tokenHash = hashApiKey(token);
    return cache?.get(tokenHash) ?? verify(token, tokenHash);
  };
  const { watch } = createCredentialWatch(async (header) => {
    const token = parseBearer(header);
    return token !== null && (await verify(token, hashApiKey(token))) !== null;
  }, options.recheckMs);
  return Object.assign(authenticate, { invalidate: () => cache?.clear(), watch });
}

/**
 * The same caller acting as another user of its organization, named as Dify's `user` field names
 * end users. Organization API keys may act for any user of their organization; a session only as
 * its own user. A user that does not exist yet owns nothing: the principal matches no row.
 */
export async function actAs(db: Db, principal: Principal, userName: string): Promise<Principal> {
  if (userName === principal.userName) return principal;
  if (principal.via !== 'api_key' || !NAME_PATTERN.test(userName))
    return { ...principal, userId: '', userName };
  const user = await db.user.findUnique({
    where: { orgId_name: { orgId: principal.orgId, name: userName } },
    select: { id: true },
  });
  return { ...principal, userId: user?.id ?? '', userName };
}

type SessionClaims = { sub: string; org: string; exp?: number | undefined };

function createSessionVerifier(
  config: AuthConfig,
  now: () => number,
): (token: string) => Promise<SessionClaims | null> {
  const verify = createJwtVerify(config);
  if (!verify) return () => Promise.resolve(null);

  return async (token) => {
    try {
      const { payload } = await verify(token, new Date(now()));
      const { sub, org, exp } = payload;
      if (typeof sub !== 'string' || typeof org !== 'string') return null;
      if (!NAME_PATTERN.test(sub) || !NAME_PATTERN.test(org)) return null;
      return { sub, org, exp };
    } catch {
      return null; // bad signature, expired, wrong issuer/audience, malformed: all just "not signed in"
    }
  };
}

// jose refuses `alg: none` and every algorithm not listed, and checks exp and nbf at `at`.
function createJwtVerify(
  config: AuthConfig,
): ((token: string, at: Date) => Promise<JWTVerifyResult>) | null {
  const options = { issuer: config.jwtIssuer, audience: config.jwtAudience };
  if (config.jwksUrl) {
    const keys = createRemoteJWKSet(new URL(config.jwksUrl));
    const algorithms = ['RS256', 'PS256', 'ES256', 'EdDSA'];
    return (token, at) => jwtVerify(token, keys, { ...options, algorithms, currentDate: at });
  }
  if (config.jwtSecret) {
    const secret = new TextEncoder().encode(config.jwtSecret);
    return (token, at) =>
      jwtVerify(token, secret, { ...options, algorithms: ['HS256'], currentDate: at });
  }
  return null;
}
