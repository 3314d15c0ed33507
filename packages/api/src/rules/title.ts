/**
 * The one title rule for every face: Unicode NFC, surrounding whitespace trimmed, no control
 * characters or line breaks, 1 to 100 user-perceived characters (graphemes: 👍🏽 and 👩‍👩‍👧 count as one).
 * A face may be stricter, never looser.
 */
export const TITLE_MAX_GRAPHEMES = 100;

export type TitleProblem = 'malformed' | 'control_character' | 'empty' | 'too_long';

export type TitleResult =
  { ok: true; title: string } | { ok: false; problem: TitleProblem; message: string };

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

// Cc: C0/C1 controls and DEL. Zl/Zp: line and paragraph separators (a title is one line).
// Format characters (Cf) stay allowed: the zero-width joiner builds emoji sequences.
const FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}]/u;

// Printable ASCII, the precomposed Latin letters (Latin-1 Supplement, Latin Extended-A/B) and
// general punctuation (dashes, curly quotes, ellipsis): none of them extends, joins or prepends to
// a neighbour under UAX #29, so each is one grapheme. Most titles are made of these alone, and
// counting them needs no segmenter.
const ONE_GRAPHEME_PER_CODE_UNIT = /^[\u0020-\u007E\u00A0-\u024F\u2010-\u2027\u2030-\u205E]*$/;

export function countGraphemes(text: string): number {
  if (ONE_GRAPHEME_PER_CODE_UNIT.test(text)) return text.length;
  let count = 0;
  const segments = segmenter.segment(text)[Symbol.iterator]();
  while (!segments.next().done) count++;
  return count;
}

/** The first `max` graphemes of `text` (never splits an emoji or a combining sequence). */
export function takeGraphemes(text: string, max: number): string {
  let out = '';
  let count = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (count++ === max) break;
    out += segment;
  }
  return out;
}

/**
 * The title, normalised, or why it is refused. `field` is the name the message gives the value:
 * a face whose vendor calls it `name` or `displayName` says so, never "Title".
 */
export function normalizeTitle(raw: string, field = 'Title'): TitleResult {
  if (!raw.isWellFormed()) {
    return {
      ok: false,
      problem: 'malformed',
      message: `${field} contains invalid Unicode (a lone surrogate).`,
    };
  }
  const title = raw.normalize('NFC').trim();
  if (FORBIDDEN.test(title)) {
    return {
      ok: false,
      problem: 'control_character',
      message: `${field} must not contain control characters or line breaks.`,
    };
  }
  if (title.length === 0) {
    return {
      ok: false,
      problem: 'empty',
      message: `${field} must not be empty or only whitespace.`,
    };
  }
  // A grapheme is at least one code unit, so a title no longer than the limit in code units is
  // within it and needs no counting. Longer ones: bound the segmenter's work on huge input (64
  // code units per grapheme is far more than the longest emoji sequence), then count.
  if (
    title.length > TITLE_MAX_GRAPHEMES &&
    (title.length > TITLE_MAX_GRAPHEMES * 64 || countGraphemes(title) > TITLE_MAX_GRAPHEMES)
  ) {
    return {
      ok: false,
      problem: 'too_long',
      message: `${field} must be at most ${TITLE_MAX_GRAPHEMES} characters.`,
    };
  }
  return { ok: true, title };
}
