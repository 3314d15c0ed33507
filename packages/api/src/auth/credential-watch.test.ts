import { describe, expect, it, vi } from 'vitest';
import { createCredentialWatch } from './credential-watch.ts';

/** Generous: only a hung test waits this long. */
const WAIT = { timeout: 20_000, interval: 5 };

/** A reverify whose answers the test sets, counting the lookups per credential. */
function fakeCredentials() {
  const valid = new Map<string, boolean | 'error'>();
  const lookups = new Map<string, number>();
  return {
    valid,
    lookups: (authorization: string) => lookups.get(authorization) ?? 0,
    reverify(authorization: string) {
      lookups.set(authorization, (lookups.get(authorization) ?? 0) + 1);
      const answer = valid.get(authorization) ?? false;
      return answer === 'error'
        ? Promise.reject(new Error('database unreachable'))
        : Promise.resolve(answer);
    },
  };
}

describe('credential watch', () => {
  it('ends every stream of a credential that stops verifying, and only those', async () => {
    const credentials = fakeCredentials();
    credentials.valid.set('Bearer a', true).set('Bearer b', true);
    const watch = createCredentialWatch((h) => credentials.reverify(h), 10);
    const ended: string[] = [];
    watch.watch('Bearer a', () => ended.push('a1'));
    watch.watch('Bearer a', () => ended.push('a2'));
    const unwatchB = watch.watch('Bearer b', () => ended.push('b'));
    await vi.waitFor(() => expect(credentials.lookups('Bearer a')).toBeGreaterThan(2), WAIT);
    expect(ended).toEqual([]);

    credentials.valid.set('Bearer a', false);
    await vi.waitFor(() => expect(ended.sort()).toEqual(['a1', 'a2']), WAIT);
    // b is still asked about, and still holds.
    const before = credentials.lookups('Bearer b');
    await vi.waitFor(() => expect(credentials.lookups('Bearer b')).toBeGreaterThan(before), WAIT);
    expect(ended).not.toContain('b');
    unwatchB();
  });

  it('asks once per credential per round, however many streams it has', async () => {
    const credentials = fakeCredentials();
    credentials.valid.set('Bearer a', true).set('Bearer b', true);
    const watch = createCredentialWatch((h) => credentials.reverify(h), 10);
    const unwatch = [
      ...Array.from({ length: 50 }, () => watch.watch('Bearer a', () => undefined)),
      watch.watch('Bearer b', () => undefined),
    ];
    await vi.waitFor(() => expect(credentials.lookups('Bearer b')).toBeGreaterThanOrEqual(5), WAIT);
    // Fifty streams of a, one of b: the same number of lookups, give or take the round under way.
    expect(
      Math.abs(credentials.lookups('Bearer a') - credentials.lookups('Bearer b')),
    ).toBeLessThanOrEqual(1);
    for (const stop of unwatch) stop();
  });

  it('ends nothing when the lookup fails; the next answer decides', async () => {
    const credentials = fakeCredentials();
    credentials.valid.set('Bearer a', 'error');
    const watch = createCredentialWatch((h) => credentials.reverify(h), 10);
    let ended = false;
    watch.watch('Bearer a', () => (ended = true));
    await vi.waitFor(() => expect(credentials.lookups('Bearer a')).toBeGreaterThan(3), WAIT);
    expect(ended).toBe(false);
    credentials.valid.set('Bearer a', false);
    await vi.waitFor(() => expect(ended).toBe(true), WAIT);
  });

  it('forgets a credential once its last stream is unwatched', async () => {
    const credentials = fakeCredentials();
    credentials.valid.set('Bearer a', true);
    const watch = createCredentialWatch((h) => credentials.reverify(h), 10);
    const unwatch = watch.watch('Bearer a', () => undefined);
    await vi.waitFor(() => expect(credentials.lookups('Bearer a')).toBeGreaterThan(1), WAIT);
    unwatch();
    // A round already under way may finish; after it nothing more is asked. A new watch, on
    // another credential, runs rounds again: a's count must stay where it was meanwhile.
    const settled = credentials.lookups('Bearer a') + 1;
    credentials.valid.set('Bearer b', true);
    const unwatchB = watch.watch('Bearer b', () => undefined);
    await vi.waitFor(() => expect(credentials.lookups('Bearer b')).toBeGreaterThan(3), WAIT);
    expect(credentials.lookups('Bearer a')).toBeLessThanOrEqual(settled);
    unwatchB();
  });
});
