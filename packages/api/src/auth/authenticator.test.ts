import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ jwtSecret: SECRET, jwtIssuer: 'parley-test' });
});
afterAll(() => h.close());

const sign = (claims: Record<string, unknown>, secret = SECRET, expiresIn = '5m') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('parley-test')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));

describe('session tokens', () => {
  it('a signed token acts as the same user an API key names', async () => {
    const alice = await h.user('acme', 'alice');
    const c = await alice.caller.conversation.create({ title: 'Shared identity' });
    const token = await sign({ sub: 'alice', org: 'acme' });
    await expect(
      h.callerFor(`Bearer ${token}`).conversation.get({ id: c.id }),
    ).resolves.toMatchObject({
      title: 'Shared identity',
    });
  });

  it.each([
    [
      'a bad signature',
      () => sign({ sub: 'alice', org: 'acme' }, 'another-secret-that-is-long-enough-000000'),
    ],
    ['an expired token', () => sign({ sub: 'alice', org: 'acme' }, SECRET, '-1m')],
    [
      'alg: none',
      () =>
        Promise.resolve(
          new UnsecuredJWT({ sub: 'alice', org: 'acme' }).setIssuer('parley-test').encode(),
        ),
    ],
    ['no organization claim', () => sign({ sub: 'alice' })],
    [
      'a wrong issuer',
      () =>
        new SignJWT({ sub: 'alice', org: 'acme' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('elsewhere')
          .sign(new TextEncoder().encode(SECRET)),
    ],
  ])('%s is UNAUTHORIZED', async (_name, makeToken) => {
    const token = await makeToken();
    await expect(h.callerFor(`Bearer ${token}`).conversation.list()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});

describe('actAs (Dify names end users inside the key organization)', () => {
  it('an API key acts for any existing user of its organization, never outside it', async () => {
    const { actAs, createAuthenticator } = await import('./authenticator.ts');
    const alice = await h.user('acme', 'alice');
    const bob = await h.user('acme', 'bob');
    await h.user('other', 'carol');
    const authenticate = createAuthenticator(h.db, {});
    const asKey = (await authenticate(`Bearer ${alice.key}`))!;
    await expect(actAs(h.db, asKey, 'bob')).resolves.toMatchObject({
      userId: bob.userId,
      userName: 'bob',
    });
    // carol exists, but in another organization: acting as "carol" reaches nobody's rows.
    await expect(actAs(h.db, asKey, 'carol')).resolves.toMatchObject({ userId: '' });
    await expect(actAs(h.db, asKey, 'nobody-yet')).resolves.toMatchObject({ userId: '' });
    expect(await h.db.user.count({ where: { name: 'nobody-yet' } })).toBe(0);
  });

  it('a session acts only as its own user', async () => {
    const { actAs, createAuthenticator } = await import('./authenticator.ts');
    await h.user('acme', 'bob');
    const authenticate = createAuthenticator(h.db, { jwtSecret: SECRET, jwtIssuer: 'parley-test' });
    const session = (await authenticate(`Bearer ${await sign({ sub: 'alice', org: 'acme' })}`))!;
    expect(await actAs(h.db, session, 'alice')).toBe(session);
    await expect(actAs(h.db, session, 'bob')).resolves.toMatchObject({ userId: '' });
  });
});

describe('credential cache', () => {
  it('never trusts a cached session token past its expiry', async () => {
    const { createAuthenticator } = await import('./authenticator.ts');
    // A clock moved by hand: no sleeping, and no race with a token about to expire.
    let now = Date.now();
    const authenticate = createAuthenticator(
      h.db,
      { jwtSecret: SECRET, jwtIssuer: 'parley-test' },
      { now: () => now },
    );
    const exp = Math.floor(now / 1000) + 2; // well inside the cache's 10 s
    const token = await new SignJWT({ sub: 'alice', org: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('parley-test')
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));
    await expect(authenticate(`Bearer ${token}`)).resolves.toMatchObject({ userName: 'alice' });
    now = exp * 1000 - 1;
    await expect(authenticate(`Bearer ${token}`)).resolves.toMatchObject({ userName: 'alice' });
    now = exp * 1000;
    await expect(authenticate(`Bearer ${token}`)).resolves.toBeNull();
  });
});
