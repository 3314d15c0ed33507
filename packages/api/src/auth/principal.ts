/**
 * Who is calling: the bearer token is an organization API key (looked up by hash), one of
 * Parley's own session tokens (the web app's cookie, see session-tokens.ts), or an external
 * session JWT (signature verified with jose; `sub` names the user and `org` the organization).
 */
import type { Db } from '@parley/db';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyResult } from 'jose';
import { ensureOrganization, ensureUser, NAME_PATTERN } from './accounts.ts';
import { hashApiKey, looksLikeApiKey, parseBearer } from './api-keys.ts';
import { principalOfSession, type SessionTokens } from './session-tokens.ts';

export interface Principal {
  orgId: string;
  userId: string;
  /** The user's name inside the organization. */
  userName: string;
  via: 'api_key' | 'session';
}

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

export type Authenticate = (authorizationHeader: string | undefined) => Promise<Principal | null>;

/** Builds the authenticator once (keys, JWKS cache); call it per request. */
export function createAuthenticator(db: Db, config: AuthConfig): Authenticate {
  const verifySession = createSessionVerifier(config);

  return async (header) => {
    const token = parseBearer(header);
    if (!token) return null;
    if (looksLikeApiKey(token)) {
      const key = await db.apiKey.findUnique({
        where: { hash: hashApiKey(token) },
        select: { orgId: true, userId: true, revokedAt: true, user: { select: { name: true } } },
      });
      if (!key || key.revokedAt) return null;
      return { orgId: key.orgId, userId: key.userId, userName: key.user.name, via: 'api_key' };
    }
    const own = await config.sessions?.verify(token);
    if (own) return principalOfSession(db, own);
    const claims = await verifySession(token);
    if (!claims) return null;
    const org = await ensureOrganization(db, claims.org);
    const user = await ensureUser(db, org.id, claims.sub);
    return { orgId: org.id, userId: user.id, userName: user.name, via: 'session' };
  };
}

type SessionClaims = { sub: string; org: string };

function createSessionVerifier(
  config: AuthConfig,
): (token: string) => Promise<SessionClaims | null> {
  const verify = createJwtVerify(config);
  if (!verify) return () => Promise.resolve(null);

  return async (token) => {
    try {
      const { payload } = await verify(token);
      const { sub, org } = payload;
      if (typeof sub !== 'string' || typeof org !== 'string') return null;
      if (!NAME_PATTERN.test(sub) || !NAME_PATTERN.test(org)) return null;
      return { sub, org };
    } catch {
      return null; // bad signature, expired, wrong issuer/audience, malformed: all just "not signed in"
    }
  };
}

// jose refuses `alg: none` and every algorithm not listed, and checks exp and nbf.
function createJwtVerify(config: AuthConfig): ((token: string) => Promise<JWTVerifyResult>) | null {
  const options = { issuer: config.jwtIssuer, audience: config.jwtAudience };
  if (config.jwksUrl) {
    const keys = createRemoteJWKSet(new URL(config.jwksUrl));
    return (token) =>
      jwtVerify(token, keys, { ...options, algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'] });
  }
  if (config.jwtSecret) {
    const secret = new TextEncoder().encode(config.jwtSecret);
    return (token) => jwtVerify(token, secret, { ...options, algorithms: ['HS256'] });
  }
  return null;
}
