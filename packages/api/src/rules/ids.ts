/**
 * Conversation ids: one canonical 128-bit ULID, rendered per dialect and parsed back losslessly.
 *   ulid  "01J9Z3Q4X8M2V7K5T6R1N0P3QB"            (Florent, RAG, tRPC: canonical, upper case)
 *   orq   "conv_01j9z3q4x8m2v7k5t6r1n0p3qb"       (conv_ + lower-case ULID)
 *   uuid  "0192bf1b-93a8-a0b6-7995-a6c0d6036ecb"  (Dify: the same 16 bytes as 8-4-4-4-12 hex)
 */
import { monotonicFactory, ulidToUUID, uuidToULID } from 'ulid';

export type IdFormat = 'ulid' | 'orq' | 'uuid';

// Crockford base32 without I, L, O, U. The first character carries only 3 bits (26 * 5 = 130),
// so it is 0-7; anything above would overflow 128 bits and could not be rendered as a UUID.
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const ORQ_PATTERN = /^conv_([0-7][0-9a-hjkmnp-tv-z]{25})$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Monotonic within a millisecond, so ids made by one process sort in creation order. Marked pure
 * so that a bundle which never makes ids (the web app) leaves ulid out: 1 KB gzip.
 */
export const newId: () => string = /* @__PURE__ */ monotonicFactory();

/** Every rendering, in the order parseId tries them. */
export const ID_FORMATS: readonly IdFormat[] = ['ulid', 'orq', 'uuid'];

/** Parses any rendering of an id (or only the given ones) to the canonical ULID, or null. */
export function parseId(input: string, formats: readonly IdFormat[] = ID_FORMATS): string | null {
  if (formats.includes('ulid') && ULID_PATTERN.test(input)) return input.toUpperCase();
  if (formats.includes('orq')) {
    const match = ORQ_PATTERN.exec(input);
    if (match?.[1]) return match[1].toUpperCase();
  }
  if (formats.includes('uuid') && UUID_PATTERN.test(input)) return uuidToULID(input.toLowerCase());
  return null;
}

/** Renders a canonical ULID in a dialect's format. */
export function renderId(id: string, format: IdFormat): string {
  switch (format) {
    case 'ulid':
      return id;
    case 'orq':
      return `conv_${id.toLowerCase()}`;
    case 'uuid':
      return ulidToUUID(id).toLowerCase();
  }
}
