/**
 * The baselines carry copies of Parley's request rules (so that they do the same work without
 * loading Parley's router); these tests keep each copy equal to Parley's own function.
 */
import {
  normalizeTitle as parleyTitle,
  parseBearer as parleyBearer,
  parseId as parleyId,
  renderId,
} from '@parley/api';
import { describe, expect, it } from 'vitest';
import {
  isoTime,
  normalizeTitle,
  parseBearer,
  parseId,
  storedTime,
  versionFromIfMatch,
} from '../src/targets/rules.ts';

const TITLES = [
  'Trip to Lisbon',
  '  padded  ',
  '',
  '   ',
  'Cafe\u0301 (decomposed é)',
  'line\nbreak',
  'tab\there',
  'para\u2029graph',
  '👩🏽‍💻'.repeat(100),
  '👩🏽‍💻'.repeat(101),
  'x'.repeat(100),
  'x'.repeat(101),
  'x'.repeat(7_000),
  'lone \ud800 surrogate',
  'zero\u200dwidth joiner',
];

describe('the title rule copy', () => {
  it.each(TITLES.map((t) => [JSON.stringify(t).slice(0, 40), t]))(
    'agrees with Parley on %s',
    (_, title) => {
      const ours = normalizeTitle(title);
      const theirs = parleyTitle(title);
      expect(ours.ok).toBe(theirs.ok);
      if (ours.ok && theirs.ok) expect(ours.title).toBe(theirs.title);
      if (!ours.ok && !theirs.ok) expect(ours.message).toBe(theirs.message);
    },
  );
});

describe('the id rule copy', () => {
  const ulid = '01KAP3M1N5Z0S0C0Q7T3WX4B9E';
  it.each([
    ulid,
    ulid.toLowerCase(),
    renderId(ulid, 'orq'),
    renderId(ulid, 'uuid'),
    renderId(ulid, 'uuid').toUpperCase(),
    'conv_' + ulid,
    '81KAP3M1N5Z0S0C0Q7T3WX4B9E',
    'not-an-id',
    '',
  ])('agrees with Parley on %j', (id) => {
    expect(parseId(id)).toBe(parleyId(id));
  });
});

describe('the bearer rule copy', () => {
  it.each(['Bearer pk_abc', 'bearer  pk_abc ', 'Bearer', 'Basic abc', 'Bearer a b', ''])(
    'agrees with Parley on %j',
    (header) => {
      expect(parseBearer(header)).toBe(parleyBearer(header));
    },
  );
});

describe('If-Match', () => {
  it('reads one version, any, or nothing that can match', () => {
    expect(versionFromIfMatch(undefined)).toBeUndefined();
    expect(versionFromIfMatch('*')).toBeUndefined();
    expect(versionFromIfMatch('"3"')).toBe(3);
    expect(versionFromIfMatch('W/"3", "3"')).toBe(3);
    expect(versionFromIfMatch('"3", "4"')).toBe('unsatisfiable');
    expect(versionFromIfMatch('"0"')).toBe('unsatisfiable');
    expect(versionFromIfMatch('nope')).toBe('unsatisfiable');
  });
});

describe('stored times', () => {
  it('are written as Prisma writes them and shown as Parley shows them', () => {
    const at = new Date('2026-11-23T09:41:47.805Z');
    expect(storedTime(at)).toBe('2026-11-23T09:41:47.805+00:00');
    expect(isoTime(storedTime(at))).toBe('2026-11-23T09:41:47.805Z');
  });
});
