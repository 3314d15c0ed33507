import { fc, test } from '@fast-check/vitest';
import { describe, expect, it, vi } from 'vitest';
import { countGraphemes, normalizeTitle, takeGraphemes, TITLE_MAX_GRAPHEMES } from './title.ts';

const problemOf = (raw: string) => {
  const result = normalizeTitle(raw);
  return result.ok ? null : result.problem;
};

describe('title rule', () => {
  it('trims and normalises to NFC', () => {
    expect(normalizeTitle('  Cafe\u0301 plans \t')).toEqual({ ok: true, title: 'Café plans' });
  });

  it('counts an emoji with modifiers as one character', () => {
    for (const emoji of ['👍🏽', '👩‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷', 'é']) expect(countGraphemes(emoji)).toBe(1);
    expect(normalizeTitle('👩‍👩‍👧‍👦'.repeat(TITLE_MAX_GRAPHEMES)).ok).toBe(true);
    expect(problemOf('👩‍👩‍👧‍👦'.repeat(TITLE_MAX_GRAPHEMES + 1))).toBe('too_long');
  });

  it('accepts 100 graphemes and refuses 101', () => {
    expect(normalizeTitle('a'.repeat(100))).toEqual({ ok: true, title: 'a'.repeat(100) });
    expect(problemOf('a'.repeat(101))).toBe('too_long');
    expect(problemOf('👍🏽'.repeat(101))).toBe('too_long');
  });

  test.prop([
    fc.array(fc.constantFrom('a', 'é', 'e\u0301', '👍🏽', '👩‍👩‍👧‍👦', '한'), {
      minLength: TITLE_MAX_GRAPHEMES - 5,
      maxLength: TITLE_MAX_GRAPHEMES + 5,
    }),
  ])('refuses a title exactly when it has more than 100 graphemes', (parts) => {
    const title = parts.join('').normalize('NFC');
    const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
    const graphemes = [...segmenter.segment(title)].length;
    expect(normalizeTitle(title).ok).toBe(graphemes <= TITLE_MAX_GRAPHEMES);
  });

  it.each([[''], [' '], ['\t\n '], ['\u3000']])('refuses the blank title %j', (raw) => {
    expect(problemOf(raw)).toBe('empty');
  });

  it.each([
    ['a\u0000b'],
    ['line\nbreak'],
    ['bell\u0007'],
    ['del\u007f'],
    ['c1\u0085x'],
    ['a\u2028b'],
  ])('refuses control characters inside %j', (raw) => {
    expect(problemOf(raw)).toBe('control_character');
  });

  it('refuses lone surrogates', () => {
    expect(problemOf('bad \ud800 half')).toBe('malformed');
  });

  it('refuses huge input without segmenting it all', () => {
    expect(problemOf('x'.repeat(5_000_000))).toBe('too_long');
    // Emoji need the segmenter to be counted; thousands of them must be refused without it.
    const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
    try {
      expect(problemOf('👍🏽'.repeat(10_000))).toBe('too_long');
      expect(segment).not.toHaveBeenCalled();
      expect(problemOf('👍🏽'.repeat(101))).toBe('too_long'); // and it is used below the bound
      expect(segment).toHaveBeenCalled();
    } finally {
      segment.mockRestore();
    }
  });

  test.prop([fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 })])(
    'an accepted title is NFC, trimmed, 1-100 graphemes, and stable when normalised again',
    (raw) => {
      const result = normalizeTitle(raw);
      if (!result.ok) return;
      expect(result.title).toBe(result.title.normalize('NFC').trim());
      expect(countGraphemes(result.title)).toBeGreaterThanOrEqual(1);
      expect(countGraphemes(result.title)).toBeLessThanOrEqual(TITLE_MAX_GRAPHEMES);
      expect(normalizeTitle(result.title)).toEqual(result);
    },
  );

  test.prop([fc.string({ unit: 'grapheme', maxLength: 50 }), fc.nat(60)])(
    'takeGraphemes never splits a grapheme',
    (text, max) => {
      const cut = takeGraphemes(text, max);
      expect(text.startsWith(cut)).toBe(true);
      expect(countGraphemes(cut)).toBe(Math.min(max, countGraphemes(text)));
    },
  );

  // Titles of Latin letters and punctuation are counted without the segmenter: the count must be the segmenter's
  // for them, and also next to what may combine with them (accents, joiners, emoji, Hangul).
  const latin = fc.oneof(
    fc.integer({ min: 0x20, max: 0x24f }).filter((c) => c < 0x7f || c >= 0xa0),
    fc.integer({ min: 0x2000, max: 0x206f }), // general punctuation, spaces and format characters
  );
  const combining = fc.constantFrom(
    '\u0301',
    '\u200d',
    '\ufe0f',
    '👍🏽',
    '\u1100\u1161',
    '🇫',
    '\r\n',
  );
  test.prop([
    fc.array(
      fc.oneof({ weight: 5, arbitrary: latin.map((c) => String.fromCodePoint(c)) }, combining),
      {
        maxLength: 40,
      },
    ),
  ])('counts Latin text like the Unicode segmenter does', (parts) => {
    const text = parts.join('');
    const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
    expect(countGraphemes(text)).toBe([...segmenter.segment(text)].length);
  });
});

describe('the field a message names', () => {
  it.each([
    ['', 'must not be empty or only whitespace.'],
    ['a\u0007b', 'must not contain control characters or line breaks.'],
    ['\ud800', 'contains invalid Unicode (a lone surrogate).'],
    ['a'.repeat(101), `must be at most ${TITLE_MAX_GRAPHEMES} characters.`],
  ])('%j: "Title …" by default, the caller’s name when given', (raw, rest) => {
    expect(normalizeTitle(raw)).toMatchObject({ ok: false, message: `Title ${rest}` });
    expect(normalizeTitle(raw, 'displayName')).toMatchObject({
      ok: false,
      message: `displayName ${rest}`,
    });
  });
});
