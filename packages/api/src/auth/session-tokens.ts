/**
 * Parley's own session tokens: what the web app's cookie carries after a person signs in with an
 * API key or tries the demo. A token names the user the way an external session JWT does
 * (`sub` = user name, `org` = organization slug), is signed with HS256 under a secret of the
 * server's own (never the external PARLEY_JWT_SECRET), and is told apart from external tokens by
 * its issuer and audience. A token made from an API key also names the key, so revoking the key
 * ends the sessions made from it.
 */
import type { Db } from '@parley/db';
import { jwtVerify, SignJWT } from 'jose';
import { looksLikeApiKey } from '../rules/api-key.ts';
import { hashApiKey } from '../rules/api-key-crypto.ts';
import { NAME_PATTERN } from '../rules/names.ts';
import type { Principal } from './principal.ts';

export const SESSION_ISSUER = 'parley';
export const SESSION_AUDIENCE = 'parley:session';
/** A week: long enough not to sign in every day, short enough that a lost cookie expires. */
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;
export const SESSION_SECRET_MIN_BYTES = 32;

export interface SessionIdentity {
  /** Organization slug. */
  org: string;
  /** User name inside the organization. */
  user: string;
  /** The API key the session was made from; none for a demo session. */
  keyId?: string | undefined;
  demo?: boolean | undefined;
  /** Expiry (seconds since the epoch) of the token this identity was read from. */
  exp?: number | undefined;
}

export interface SessionTokens {
  mint(identity: SessionIdentity): Promise<{ token: string; expiresAt: Date }>;
  /** The identity a token names when its signature, issuer, audience and expiry hold; else null. */
  verify(token: string): Promise<SessionIdentity | null>;
}

export function createSessionTokens(
  secret: string | Uint8Array,
  ttlSeconds = SESSION_TTL_SECONDS,
): SessionTokens {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (key.byteLength < SESSION_SECRET_MIN_BYTES) {
    throw new Error(`The session secret must be at least ${SESSION_SECRET_MIN_BYTES} bytes.`);
  }
  return {
    async mint(identity) {
      const expiresAt = new Date((Math.floor(Date.now() / 1000) + ttlSeconds) * 1000);
      const token = await new SignJWT({
        org: identity.org,
        ...(identity.keyId && { kid: identity.keyId }),
        ...(identity.demo && { demo: true }),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(identity.user)
        .setIssuer(SESSION_ISSUER)
        .setAudience(SESSION_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresAt)
        .sign(key);
      return { token, expiresAt };
    },

    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: SESSION_ISSUER,
          audience: SESSION_AUDIENCE,
          requiredClaims: ['exp', 'sub'],
        });
        const { sub, org, kid, demo, exp } = payload;
        if (typeof sub !== 'string' || typeof org !== 'string') return null;
        if (!NAME_PATTERN.test(sub) || !NAME_PATTERN.test(org)) return null;
        if (kid !== undefined && typeof kid !== 'string') return null;
        return { org, user: sub, keyId: kid, demo: demo === true, exp };
      } catch {
        return null; // bad signature, expired, someone else's token, malformed: not signed in
      }
    },
  };
}

/**
 * The caller a verified session names, read without writing: the user must still exist and, for
 * a session made from an API key, the key must still be active.
 */
export async function principalOfSession(
  db: Db,
  identity: SessionIdentity,
): Promise<Principal | null> {
  if (identity.keyId) {
    const key = await db.apiKey.findUnique({
      where: { id: identity.keyId },
      select: {
        orgId: true,
        userId: true,
        revokedAt: true,
        org: { select: { slug: true } },
        user: { select: { name: true } },
      },
    });
    if (!key || key.revokedAt) return null;
    if (key.user.name !== identity.user || key.org.slug !== identity.org) return null;
    return { orgId: key.orgId, userId: key.userId, userName: key.user.name, via: 'session' };
  }
  const user = await db.user.findFirst({
    where: { name: identity.user, org: { slug: identity.org } },
    select: { id: true, orgId: true, name: true },
  });
  return user && { orgId: user.orgId, userId: user.id, userName: user.name, via: 'session' };
}

/** Who an API key acts as, for signing in with it; null for an unknown or revoked key. */
export async function sessionIdentityOfApiKey(
  db: Db,
  apiKey: string,
): Promise<SessionIdentity | null> {
  if (!looksLikeApiKey(apiKey)) return null;
  const key = await db.apiKey.findUnique({
    where: { hash: hashApiKey(apiKey) },
    select: {
      id: true,
      revokedAt: true,
      org: { select: { slug: true } },
      user: { select: { name: true } },
    },
  });
  if (!key || key.revokedAt) return null;
  return { org: key.org.slug, user: key.user.name, keyId: key.id };
}
