import { describe, expect, it } from 'vitest';
import {
  SNIPPET_LENGTH,
  containsPattern,
  decodeSearchCursor,
  encodeSearchCursor,
  searchFingerprint,
  searchTerms,
  snippetOf,
} from './search.ts';

const marked = ({ text, highlights }: ReturnType<typeof snippetOf>) =>
  highlights.map(({ start, end }) => text.slice(start, end));

describe('search rules', () => {
  it('splits a query into words, without repeats whatever their case', () => {
    expect(searchTerms('  Quokka\tquokka  photo\n')).toEqual(['Quokka', 'photo']);
    expect(searchTerms(' \n ')).toEqual([]);
    expect(searchTerms('東京タワー 👍🏽')).toEqual(['東京タワー', '👍🏽']);
  });

  it('escapes LIKE wildcards and the escape character', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });

  it('never cuts a character in two, and marks the longer of two overlapping words', () => {
    const text = `${'😀'.repeat(100)} quokka ${'😀'.repeat(100)}`;
    const snippet = snippetOf(text, ['quok', 'quokka']);
    expect(snippet.text.isWellFormed()).toBe(true);
    expect(snippet.text.startsWith('…') && snippet.text.endsWith('…')).toBe(true);
    expect(snippet.text.length).toBeLessThanOrEqual(SNIPPET_LENGTH + 2);
    expect(marked(snippet)).toEqual(['quokka']);
  });

  it('shows the start of a text where no word occurs, and the end when the match is there', () => {
    expect(snippetOf('x'.repeat(500), ['zebra'])).toEqual({
      text: `${'x'.repeat(SNIPPET_LENGTH)}…`,
      highlights: [],
    });
    const end = snippetOf(`${'x'.repeat(500)} zebra`, ['ZEBRA']);
    expect(end.text.endsWith(' zebra')).toBe(true);
    expect(marked(end)).toEqual(['zebra']);
  });

  it('accepts a cursor only for the search it was made for', () => {
    const fingerprint = searchFingerprint(['quokka'], 'exclude');
    const cursor = encodeSearchCursor(fingerprint, 40);
    expect(decodeSearchCursor(fingerprint, cursor)).toBe(40);
    expect(decodeSearchCursor(searchFingerprint(['QUOKKA'], 'exclude'), cursor)).toBe(40);
    expect(decodeSearchCursor(searchFingerprint(['quokka'], 'only'), cursor)).toBeNull();
    expect(decodeSearchCursor(fingerprint, 'garbage')).toBeNull();
  });
});
