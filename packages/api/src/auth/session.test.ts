import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';

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
