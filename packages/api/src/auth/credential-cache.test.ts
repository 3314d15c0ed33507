/**
 * The credential cache behind the README's "a revocation reaches running servers within 10
 * seconds": a verified credential is trusted for 10 s, a refused one is asked again every time.
 * The authenticator's clock is moved by hand, so nothing sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { createApiKey, revokeApiKey } from './accounts.ts';
import { createAuthenticator, type AuthConfig } from './authenticator.ts';
import { createSessionTokens } from './session-tokens.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/** An authenticator on its own clock, and a caller for an Authorization header through it. */
function withClock(config: AuthConfig = {}) {
  const clock = { now: Date.now() };
  const authenticate = createAuthenticator(h.db, config, { now: () => clock.now });
  const callerFor = (authorization: string) => h.callerFor(authorization, { authenticate });
  return { clock, callerFor };
}

describe('the credential cache', () => {
  it('a revoked key keeps working while cached, and stops 10 s after it was verified', async () => {
    const { clock, callerFor } = withClock();
    const created = await createApiKey(h.db, 'acme', 'carol');
    const caller = callerFor(`Bearer ${created.key}`);
    await expect(caller.conversation.list()).resolves.toMatchObject({ items: [] });

    // As `pnpm parley keys revoke` does from another process: nothing tells this cache.
    expect(await revokeApiKey(h.db, created.id)).toBe(true);
    await expect(caller.conversation.list()).resolves.toMatchObject({ items: [] });
    clock.now += 10_000;
    await expect(caller.conversation.list()).resolves.toMatchObject({ items: [] });
    clock.now += 1;
    await expect(caller.conversation.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('never caches a refusal: a key refused once works as soon as it is valid', async () => {
    const { callerFor } = withClock();
    const created = await createApiKey(h.db, 'acme', 'dave');
    await revokeApiKey(h.db, created.id);
    const caller = callerFor(`Bearer ${created.key}`);
    await expect(caller.conversation.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    // Reinstated directly in the database, at the same instant on the authenticator's clock.
    await h.db.apiKey.update({ where: { id: created.id }, data: { revokedAt: null } });
    await expect(caller.conversation.list()).resolves.toMatchObject({ items: [] });
  });

  it('never caches a refused session: it works once its user exists', async () => {
    const sessions = createSessionTokens('a-session-secret-for-the-cache-test-0123456789');
    const { callerFor } = withClock({ sessions });
    const { token } = await sessions.mint({ org: 'newcomers', user: 'erin' });
    const caller = callerFor(`Bearer ${token}`);
    await expect(caller.conversation.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    await createApiKey(h.db, 'newcomers', 'erin'); // creates the organization and the user
    await expect(caller.conversation.list()).resolves.toMatchObject({ items: [] });
  });
});
