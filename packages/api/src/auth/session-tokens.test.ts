/** Parley's own session tokens (the web app's cookie) beside API keys and external JWTs. */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { revokeApiKey } from './accounts.ts';
import {
  createSessionTokens,
  SESSION_AUDIENCE,
  SESSION_ISSUER,
  sessionIdentityOfApiKey,
} from './session-tokens.ts';

const SESSION_SECRET = 'parley-own-session-secret-0123456789abcdef';
const EXTERNAL_SECRET = 'an-identity-providers-secret-0123456789abc';
const sessions = createSessionTokens(SESSION_SECRET);
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ sessions, jwtSecret: EXTERNAL_SECRET });
});
afterAll(() => h.close());

const bearer = (token: string) => `Bearer ${token}`;

describe('session tokens', () => {
  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => createSessionTokens('short')).toThrow(/32 bytes/);
  });

  it('a session made from an API key acts as that key’s user, until the key is revoked', async () => {
    const alice = await h.user('acme', 'alice');
    const c = await alice.caller.conversation.create({ title: 'Mine' });
    const identity = await sessionIdentityOfApiKey(h.db, alice.key);
    expect(identity).toMatchObject({ org: 'acme', user: 'alice' });
    const { token, expiresAt } = await sessions.mint(identity!);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    await expect(sessions.verify(token)).resolves.toEqual({
      ...identity,
      demo: false,
      exp: Math.floor(expiresAt.getTime() / 1000),
    });
    const viaSession = h.callerFor(bearer(token));
    await expect(viaSession.conversation.get({ id: c.id })).resolves.toMatchObject({
      title: 'Mine',
    });

    await revokeApiKey(h.db, identity!.keyId!);
    h.authenticate.invalidate(); // the credential cache would otherwise trust it for up to 10 s
    await expect(viaSession.conversation.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(sessionIdentityOfApiKey(h.db, alice.key)).resolves.toBeNull();
  });

  it('an unknown key or something that is not a key signs no one in', async () => {
    await expect(sessionIdentityOfApiKey(h.db, 'pk_unknown')).resolves.toBeNull();
    await expect(sessionIdentityOfApiKey(h.db, 'not a key')).resolves.toBeNull();
  });

  type Variation = { secret?: string; audience?: string; issuer?: string; expires?: string };
  it.each<[string, Variation]>([
    ['another secret', { secret: 'another-secret-that-is-long-enough-000000' }],
    ['the external JWT secret', { secret: EXTERNAL_SECRET }],
    ['another audience', { audience: 'elsewhere' }],
    ['another issuer', { issuer: 'elsewhere' }],
    ['an expired token', { expires: '-1m' }],
  ])('a token with %s is not a Parley session', async (_name, o) => {
    await h.user('acme', 'carol');
    const token = await new SignJWT({ org: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('carol')
      .setIssuer(o.issuer ?? SESSION_ISSUER)
      .setAudience(o.audience ?? SESSION_AUDIENCE)
      .setExpirationTime(o.expires ?? '5m')
      .sign(new TextEncoder().encode(o.secret ?? SESSION_SECRET));
    await expect(sessions.verify(token)).resolves.toBeNull();
  });

  it('external session JWTs keep working beside Parley’s own', async () => {
    const dave = await h.user('acme', 'dave');
    const c = await dave.caller.conversation.create({ title: 'Dave’s' });
    const external = await new SignJWT({ org: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('dave')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(EXTERNAL_SECRET));
    await expect(
      h.callerFor(bearer(external)).conversation.get({ id: c.id }),
    ).resolves.toMatchObject({ title: 'Dave’s' });
  });

  it('a session for a user who no longer exists is UNAUTHORIZED, and creates no one', async () => {
    const { token } = await sessions.mint({ org: 'ghosts', user: 'casper' });
    await expect(h.callerFor(bearer(token)).conversation.list()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(h.db.organization.findUnique({ where: { slug: 'ghosts' } })).resolves.toBeNull();
  });
});
