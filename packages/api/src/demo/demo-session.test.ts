/** Demo sessions: a user of its own for every visitor, signed in by Parley's own session token. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { createSessionTokens } from '../auth/session-tokens.ts';
import { createDemoSession, DEMO_ORG } from './demo-session.ts';

const sessions = createSessionTokens('parley-own-session-secret-0123456789abcdef');
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ sessions });
});
afterAll(() => h.close());

const bearer = (token: string) => `Bearer ${token}`;

describe('demo sessions', () => {
  it('each visitor gets an own user in the demo organization, with sample conversations', async () => {
    const first = await createDemoSession(h.db, h.events);
    const second = await createDemoSession(h.db, h.events);
    expect(first).toMatchObject({ org: DEMO_ORG, demo: true });
    expect(first.user).not.toBe(second.user);

    const callerOf = async (identity: typeof first) =>
      h.callerFor(bearer((await sessions.mint(identity)).token));
    const one = await (await callerOf(first)).conversation.list();
    const two = await (await callerOf(second)).conversation.list();
    expect(one.items.length).toBeGreaterThanOrEqual(2);
    expect(one.items.some((c) => c.messageCount > 0)).toBe(true);
    const ids = new Set(one.items.map((c) => c.id));
    expect(two.items.some((c) => ids.has(c.id))).toBe(false);
    // A demo session names its visitor and nobody else: another visitor's id is NOT_FOUND.
    await expect(
      (await callerOf(second)).conversation.get({ id: one.items[0]!.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
