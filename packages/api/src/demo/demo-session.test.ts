/** Demo sessions: a user of its own for every visitor, signed in by Parley's own session token. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { createSessionTokens } from '../auth/session-tokens.ts';
import { createDemoSession, DEMO_ORG, deleteExpiredDemoVisitors } from './demo-session.ts';

const sessions = createSessionTokens('parley-own-session-secret-0123456789abcdef');
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ sessions });
});
afterAll(() => h.close());

const bearer = (token: string) => `Bearer ${token}`;
/** Generous: only a hung test waits this long. */
const WAIT = { timeout: 20_000, interval: 1 };

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

  it('visitors past their time go, with everything they own; newer ones and other orgs stay', async () => {
    const alice = await h.user('acme', 'alice');
    const kept = await alice.caller.conversation.create({ title: 'Not a demo' });
    const old = await createDemoSession(h.db, h.events);
    const oldToken = bearer((await sessions.mint(old)).token);
    const oldCaller = h.callerFor(oldToken);
    const [oldConversation] = (await oldCaller.conversation.list()).items;
    // Everything created so far is older than this instant; the next visitor is not.
    const cutoff = new Date(Date.now() + 1);
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(cutoff.getTime()), WAIT);
    const fresh = await createDemoSession(h.db, h.events);

    const deleted = await deleteExpiredDemoVisitors(h.db, cutoff);
    expect(deleted).toBeGreaterThanOrEqual(1);
    const remaining = await h.db.user.findMany({ where: { org: { slug: DEMO_ORG } } });
    expect(remaining.map((u) => u.name)).toEqual([fresh.user]);
    expect(await h.db.conversation.count({ where: { id: oldConversation!.id } })).toBe(0);
    expect(await h.db.message.count({ where: { conversationId: oldConversation!.id } })).toBe(0);
    // The old visitor's session now names nobody; other organizations are untouched.
    h.authenticate.invalidate();
    await expect(oldCaller.conversation.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(alice.caller.conversation.get({ id: kept.id })).resolves.toEqual(kept);
    expect(await deleteExpiredDemoVisitors(h.db, cutoff)).toBe(0);
  });
});
