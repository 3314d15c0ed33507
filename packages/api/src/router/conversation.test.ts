import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { createHarness, type Harness } from '../../testing/router-harness.ts';
import { renderId } from '../rules/ids.ts';

let h: Harness;
let alice: Awaited<ReturnType<Harness['user']>>;
let bob: Awaited<ReturnType<Harness['user']>>; // same organization, another user
let eve: Awaited<ReturnType<Harness['user']>>; // another organization

beforeAll(async () => {
  h = await createHarness();
  alice = await h.user('acme', 'alice');
  bob = await h.user('acme', 'bob');
  eve = await h.user('evil', 'eve');
});
afterAll(() => h.close());

/** Every stored conversation, to prove that a refused request changed nothing. */
const snapshot = () => h.db.conversation.findMany({ orderBy: { id: 'asc' } });

describe('conversation.create', () => {
  it('creates with defaults: canonical ULID id, default title, version 1', async () => {
    const c = await alice.caller.conversation.create({});
    expect(c.id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(c).toMatchObject({
      title: 'New conversation',
      titleSource: 'default',
      version: 1,
      messageCount: 0,
    });
    expect(c.lastMessageAt).toBeNull();
    expect(c.createdAt).toBe(c.updatedAt);
    expect(c.createdById).toBe(alice.userId);
  });

  it('keeps the given fields, with the title normalised', async () => {
    const c = await alice.caller.conversation.create({
      title: '  Cafe\u0301 ☕ ',
      model: 'gpt-4o',
      userDisplay: 'Alice',
      timezone: 'Europe/Paris',
    });
    expect(c).toMatchObject({
      title: 'Café ☕',
      titleSource: 'user',
      model: 'gpt-4o',
      userDisplay: 'Alice',
      timezone: 'Europe/Paris',
    });
    await expect(alice.caller.conversation.get({ id: c.id })).resolves.toEqual(c);
  });

  it('refuses an unknown time zone and a bad title, storing nothing', async () => {
    const before = await snapshot();
    await expect(
      alice.caller.conversation.create({ timezone: 'Mars/Olympus' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(alice.caller.conversation.create({ title: ' ' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await snapshot()).toEqual(before);
  });

  it('replays an idempotency key: the first conversation comes back, one row exists', async () => {
    const first = await alice.caller.conversation.create({
      title: 'Once',
      idempotencyKey: 'req-1',
    });
    const again = await alice.caller.conversation.create({
      title: 'Twice?',
      idempotencyKey: 'req-1',
    });
    expect(again).toEqual(first);
    const concurrent = await Promise.all(
      Array.from({ length: 10 }, () =>
        alice.caller.conversation.create({ idempotencyKey: 'req-2' }),
      ),
    );
    expect(new Set(concurrent.map((c) => c.id)).size).toBe(1);
    for (const key of ['req-1', 'req-2'])
      expect(await h.db.conversation.count({ where: { idempotencyKey: key } })).toBe(1);
    // Keys belong to their owner: bob's 'req-1' is his own conversation.
    const bobs = await bob.caller.conversation.create({ title: 'Bob', idempotencyKey: 'req-1' });
    expect(bobs.id).not.toBe(first.id);
  });

  it('a replay returns the conversation as it is now, not as it was created', async () => {
    const created = await alice.caller.conversation.create({
      title: 'First name',
      idempotencyKey: 'req-current',
    });
    const renamed = await alice.caller.conversation.rename({ id: created.id, title: 'Renamed' });
    const replayed = await alice.caller.conversation.create({
      title: 'First name',
      idempotencyKey: 'req-current',
    });
    expect(replayed).toEqual(renamed);
    expect(replayed).toMatchObject({ id: created.id, title: 'Renamed', version: 2 });
  });

  it('deleting the conversation frees its key: the same key then creates a new one', async () => {
    const first = await alice.caller.conversation.create({
      title: 'Doomed',
      idempotencyKey: 'req-freed',
    });
    await alice.caller.conversation.delete({ id: first.id });
    const second = await alice.caller.conversation.create({
      title: 'Reborn',
      idempotencyKey: 'req-freed',
    });
    expect(second.id).not.toBe(first.id);
    expect(second).toMatchObject({ title: 'Reborn', version: 1 });
    await expect(alice.caller.conversation.get({ id: second.id })).resolves.toEqual(second);
    // And the key now replays the new conversation.
    await expect(
      alice.caller.conversation.create({ idempotencyKey: 'req-freed' }),
    ).resolves.toEqual(second);
  });
});

describe('conversation.rename', () => {
  it('renames, counts the version, and the change is visible to get', async () => {
    const c = await alice.caller.conversation.create({ title: 'Draft' });
    const renamed = await alice.caller.conversation.rename({ id: c.id, title: ' Final 🎉 ' });
    expect(renamed).toMatchObject({ id: c.id, title: 'Final 🎉', titleSource: 'user', version: 2 });
    expect(Date.parse(renamed.updatedAt)).toBeGreaterThanOrEqual(Date.parse(c.updatedAt));
    await expect(alice.caller.conversation.get({ id: c.id })).resolves.toEqual(renamed);
  });

  it('accepts every rendering of the id', async () => {
    const c = await alice.caller.conversation.create({});
    await alice.caller.conversation.rename({ id: renderId(c.id, 'uuid'), title: 'via uuid' });
    const r = await alice.caller.conversation.rename({
      id: renderId(c.id, 'orq'),
      title: 'via orq',
    });
    expect(r.version).toBe(3);
  });

  it('applies an expected version only while it is current; a stale one is CONFLICT', async () => {
    const c = await alice.caller.conversation.create({ title: 'v1' });
    const v2 = await alice.caller.conversation.rename({
      id: c.id,
      title: 'v2',
      expectedVersion: 1,
    });
    expect(v2.version).toBe(2);
    const before = await snapshot();
    await expect(
      alice.caller.conversation.rename({ id: c.id, title: 'lost update', expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await snapshot()).toEqual(before);
  });

  it('exactly one of several renames carrying the same expected version wins', async () => {
    const c = await alice.caller.conversation.create({});
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        alice.caller.conversation.rename({ id: c.id, title: `t${i}`, expectedVersion: 1 }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // The others lost the race, not something else: each is CONFLICT.
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    expect((await alice.caller.conversation.get({ id: c.id })).version).toBe(2);
  });

  describe('titles', () => {
    it('counts an emoji with modifiers as one: 100 accepted, 101 refused', async () => {
      const c = await alice.caller.conversation.create({});
      const hundred = '👩🏽‍💻'.repeat(100);
      await expect(
        alice.caller.conversation.rename({ id: c.id, title: hundred }),
      ).resolves.toMatchObject({ title: hundred });
      await expect(
        alice.caller.conversation.rename({ id: c.id, title: `${hundred}x` }),
      ).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
      await expect(
        alice.caller.conversation.rename({ id: c.id, title: 'a'.repeat(100) }),
      ).resolves.toBeTruthy();
      await expect(
        alice.caller.conversation.rename({ id: c.id, title: 'a'.repeat(101) }),
      ).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
    });

    it.each([
      [' '],
      [''],
      ['tab\tinside'],
      ['nul\u0000'],
      ['new\nline'],
      ['lone \ud83d surrogate'],
    ])('refuses %j with BAD_REQUEST and zod issues, changing nothing', async (title) => {
      const c = await alice.caller.conversation.create({ title: 'Kept' });
      const before = await snapshot();
      const error = await alice.caller.conversation
        .rename({ id: c.id, title })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'BAD_REQUEST' });
      // Refused by the input schema (what becomes data.zodError on the wire), on the title.
      expect((error as { cause?: unknown }).cause).toBeInstanceOf(ZodError);
      expect((error as { cause: ZodError }).cause.issues).toEqual([
        expect.objectContaining({ path: ['title'] }),
      ]);
      expect(await snapshot()).toEqual(before);
    });
  });
});

describe('ownership', () => {
  it("someone else's conversation reads exactly like an unknown id: NOT_FOUND", async () => {
    const c = await alice.caller.conversation.create({ title: 'Private' });
    const before = await snapshot();
    for (const other of [bob, eve]) {
      await expect(other.caller.conversation.get({ id: c.id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        other.caller.conversation.rename({ id: c.id, title: 'Mine now' }),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(other.caller.conversation.delete({ id: c.id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        other.caller.message.append({ conversationId: c.id, role: 'user', content: 'hi' }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const listed = await other.caller.conversation.list({ limit: 100 });
      expect(listed.items.map((x) => x.id)).not.toContain(c.id);
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['not-an-id'],
    [''],
    ["' OR 1=1 --"],
    ['conv_'],
    ['00000000-0000-0000-0000-000000000000'],
  ])('unknown or malformed id %j is NOT_FOUND', async (id) => {
    await expect(alice.caller.conversation.get({ id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(alice.caller.conversation.rename({ id, title: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('authentication', () => {
  it.each([
    [undefined],
    [''],
    ['Bearer'],
    ['Bearer pk_unknown'],
    ['Basic YWxpY2U6c2VjcmV0'],
    ['Bearer not.a.jwt'],
  ])('no or bad credentials (%j) is UNAUTHORIZED', async (authorization) => {
    await expect(h.callerFor(authorization).conversation.list()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('a revoked key stops working', async () => {
    const { revokeApiKey, createApiKey } = await import('../auth/accounts.ts');
    const created = await createApiKey(h.db, 'acme', 'carol');
    const caller = h.callerFor(`Bearer ${created.key}`);
    await expect(caller.conversation.list()).resolves.toBeTruthy();
    expect(await revokeApiKey(h.db, created.id)).toBe(true);
    // Verified keys are cached for a few seconds; invalidating applies the revocation at once.
    await expect(caller.conversation.list()).resolves.toBeTruthy();
    h.authenticate.invalidate();
    await expect(caller.conversation.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('without the credential cache, a revocation applies to the next request', async () => {
    const { revokeApiKey, createApiKey } = await import('../auth/accounts.ts');
    const { createAuthenticator } = await import('../auth/authenticator.ts');
    const authenticate = createAuthenticator(h.db, {}, { cacheTtlMs: 0 });
    const created = await createApiKey(h.db, 'acme', 'dave');
    const caller = h.callerFor(`Bearer ${created.key}`, { authenticate });
    await expect(caller.conversation.list()).resolves.toBeTruthy();
    await revokeApiKey(h.db, created.id);
    await expect(caller.conversation.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('stores only a hash of the key', async () => {
    const rows = await h.db.apiKey.findMany();
    for (const row of rows) {
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.hash).not.toContain(alice.key.slice(3));
    }
    expect(JSON.stringify(rows)).not.toContain(alice.key);
  });
});

describe('conversation.delete', () => {
  it('deletes with its messages; a second delete is NOT_FOUND', async () => {
    const c = await alice.caller.conversation.create({});
    await alice.caller.message.append({ conversationId: c.id, role: 'user', content: 'hello' });
    await expect(alice.caller.conversation.delete({ id: c.id })).resolves.toEqual({ id: c.id });
    await expect(alice.caller.conversation.get({ id: c.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(alice.caller.conversation.delete({ id: c.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await h.db.message.count({ where: { conversationId: c.id } })).toBe(0);
  });
});
