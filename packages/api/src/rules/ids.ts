/**
 * Ids: one 128-bit value, stored as its canonical ULID text, rendered per dialect and parsed back
 * losslessly.
 *   ulid  "01M8TAP5P9F65VZB6Q5PTMMPQF"            (Florent, RAG, tRPC: canonical, upper case)
 *   orq   "conv_01m8tap5p9f65vzb6q5ptmmpqf"       (conv_ + lower-case ULID)
 *   uuid  "01a234ab-16c9-798b-bfac-d72db54a5aef"  (Dify: the same 16 bytes as 8-4-4-4-12 hex)
 *
 * New ids are UUIDv7 bits (RFC 9562): clients that validate UUIDs (pydantic, zod's uuid(), a
 * Postgres uuid column) accept the Dify rendering, and since a v7 UUID and a ULID both begin with
 * the 48-bit unix millisecond time, the ULID text still sorts by creation time. Ids made before
 * are plain ULID bits: they parse and render exactly as before, their UUID rendering just has no
 * RFC version or variant.
 */
import { ulidToUUID, uuidToULID } from 'ulid';

export type IdFormat = 'ulid' | 'orq' | 'uuid';

// Crockford base32 without I, L, O, U. The first character carries only 3 bits (26 * 5 = 130),
// so it is 0-7; anything above would overflow 128 bits and could not be rendered as a UUID.
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const ORQ_PATTERN = /^conv_([0-7][0-9a-hjkmnp-tv-z]{25})$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 74 bits of a UUIDv7 that are neither time nor version nor variant. */
const RANDOM_MAX = (1n << 74n) - 1n;
const RAND_B_BITS = 62n;

function randomBits(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value >> 6n; // 80 random bits, 74 kept
}

/**
 * A generator of UUIDv7 ids as canonical ULID text, monotonic as RFC 9562 section 6.2 method 2
 * describes: within one millisecond (or when the clock steps back) the random part counts up
 * from the last id's, and when it would overflow the time moves on a millisecond. So ids made by
 * one process sort in the order they were made; messages rely on it for their order.
 */
export function createIdFactory(
  now: () => number = Date.now,
  random: () => bigint = randomBits,
): () => string {
  let lastMs = -1;
  let lastRandom = 0n;
  return () => {
    let ms = now();
    let rand: bigint;
    if (ms > lastMs) {
      rand = random() & RANDOM_MAX;
    } else {
      ms = lastMs;
      rand = lastRandom + 1n;
      if (rand > RANDOM_MAX) {
        ms += 1;
        rand = random() & RANDOM_MAX;
      }
    }
    lastMs = ms;
    lastRandom = rand;
    // unix_ts_ms (48) | ver 0111 (4) | rand_a (12) | var 10 (2) | rand_b (62)
    const bits =
      (BigInt(ms) << 80n) |
      (0x7n << 76n) |
      ((rand >> RAND_B_BITS) << 64n) |
      (0b10n << 62n) |
      (rand & ((1n << RAND_B_BITS) - 1n));
    const hex = bits.toString(16).padStart(32, '0');
    return uuidToULID(
      `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    );
  };
}

/**
 * New ids (conversations, messages, users, keys). Marked pure so that a bundle which never makes
 * ids (the web app) leaves the generator and ulid out.
 */
export const newId: () => string = /* @__PURE__ */ createIdFactory();

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
