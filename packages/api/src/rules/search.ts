/**
 * What a search query means, and how a match is shown: the rules both databases' statements
 * follow (data/search-statements.ts). A query is words separated by whitespace; a text matches
 * when it holds every word, as a substring, ignoring case. Nothing else is syntax: quotes, `*`,
 * `-`, `OR` or FTS operators are plain text. No stemming, so any language and any script (CJK,
 * emoji) is found as it is written.
 */
import { createHash } from 'node:crypto';

/** The longest query accepted, in UTF-16 code units; longer ones are a validation error. */
export const SEARCH_QUERY_MAX_LENGTH = 200;

/**
 * Words this long (in Unicode code points) or longer are looked up in the search index, which
 * indexes three-character sequences; shorter ones are matched by scanning the caller's texts.
 */
export const INDEXED_TERM_MIN_LENGTH = 3;

/** The query's words: NFC (as titles are stored), split on whitespace, without repeats. */
export function searchTerms(query: string): string[] {
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const term of query.normalize('NFC').split(/\s+/u)) {
    const key = term.toLowerCase();
    if (term === '' || seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
  }
  return terms;
}

export function isIndexedTerm(term: string): boolean {
  return [...term].length >= INDEXED_TERM_MIN_LENGTH;
}

/** A `LIKE`/`ILIKE` pattern that matches the term anywhere, with `\` as the escape character. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A range of a snippet's text, [start, end) in UTF-16 code units (JavaScript string indices). */
export interface Highlight {
  start: number;
  end: number;
}

/**
 * A short piece of the matched text, as plain text (never HTML: the client marks the ranges
 * itself, escaping what it shows), with the ranges where the query's words occur.
 */
export interface Snippet {
  text: string;
  highlights: Highlight[];
}

/** Snippets hold about this many UTF-16 code units of the text, plus an ellipsis at a cut. */
export const SNIPPET_LENGTH = 160;
/** How much text comes before the first match when the text is cut. */
const LEAD = 40;
const ELLIPSIS = '…';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Moves an index off the second half of a surrogate pair, so a cut never splits a character. */
function atCharacter(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff ? index - 1 : index;
}

/**
 * The snippet of `text` around the first place a term occurs (the start of the text when none
 * does, which a database's case folding may allow), line breaks shown as spaces.
 */
export function snippetOf(text: string, terms: readonly string[]): Snippet {
  // Longer terms first, so a term inside another does not hide the longer match.
  const alternatives = [...terms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const matches: Highlight[] = [];
  if (alternatives.length > 0) {
    for (const m of text.matchAll(new RegExp(alternatives.join('|'), 'giu'))) {
      matches.push({ start: m.index, end: m.index + m[0].length });
    }
  }
  const first = matches[0]?.start ?? 0;
  let start = text.length <= SNIPPET_LENGTH ? 0 : atCharacter(text, Math.max(0, first - LEAD));
  let end = Math.min(text.length, start + SNIPPET_LENGTH);
  if (end === text.length) start = atCharacter(text, Math.max(0, end - SNIPPET_LENGTH));
  else end = atCharacter(text, end);
  const prefix = start > 0 ? ELLIPSIS : '';
  const suffix = end < text.length ? ELLIPSIS : '';
  const shown = text.slice(start, end).replace(/[\r\n\t\u2028\u2029]/g, ' ');
  const highlights = matches
    .filter((m) => m.start < end && m.end > start)
    .map((m) => ({
      start: prefix.length + Math.max(m.start, start) - start,
      end: prefix.length + Math.min(m.end, end) - start,
    }));
  return { text: prefix + shown + suffix, highlights };
}

/**
 * Search pages are numbered by position in the ranking (a relevance order has no stable key to
 * seek from). The cursor names the position and the query it belongs to, so a cursor from
 * another query is refused rather than serving its page.
 */
export function encodeSearchCursor(fingerprint: string, offset: number): string {
  return Buffer.from(`s.${offset}.${fingerprint}`).toString('base64url');
}

/** The position a search cursor names, or null when it is not one issued for this query. */
export function decodeSearchCursor(fingerprint: string, cursor: string): number | null {
  const match = /^s\.(\d{1,9})\.([0-9a-f]{16})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!match?.[1] || match[2] !== fingerprint) return null;
  return Number(match[1]);
}

/** What makes two searches the same list: the words and the archived filter. */
export function searchFingerprint(terms: readonly string[], archived: string): string {
  return createHash('sha256')
    .update(JSON.stringify([terms.map((t) => t.toLowerCase()), archived]))
    .digest('hex')
    .slice(0, 16);
}
