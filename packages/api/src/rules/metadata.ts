/**
 * A conversation's metadata: free-form string pairs (tags, project ids) that clients set and read
 * back unchanged. The limits are OpenAI's, whose Conversations API brought metadata: at most 16
 * pairs, keys up to 64 characters, values up to 512, both strings. Lengths count code points, as
 * OpenAI's server and JSON Schema's maxLength do. (The zod schema built on this is in schemas.ts:
 * this module stays free of zod for the web app's bundle.)
 */
export type Metadata = Record<string, string>;

export const METADATA_MAX_PAIRS = 16;
export const METADATA_KEY_MAX_LENGTH = 64;
export const METADATA_VALUE_MAX_LENGTH = 512;

/** One way a set of pairs breaks the limits: where (no key: the whole), and the limit passed. */
export interface MetadataProblem {
  key?: string;
  what: 'pairs' | 'key' | 'value';
  maximum: number;
  message: string;
}

const codePoints = (s: string) => [...s].length;

/** Every way these pairs break the limits; none when they are within them. */
export function metadataProblems(pairs: Metadata): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const keys = Object.keys(pairs);
  if (keys.length > METADATA_MAX_PAIRS) {
    problems.push({
      what: 'pairs',
      maximum: METADATA_MAX_PAIRS,
      message: `Metadata may have at most ${METADATA_MAX_PAIRS} pairs; it has ${keys.length}.`,
    });
  }
  for (const key of keys) {
    if (codePoints(key) > METADATA_KEY_MAX_LENGTH) {
      problems.push({
        key,
        what: 'key',
        maximum: METADATA_KEY_MAX_LENGTH,
        message: `Metadata keys may be at most ${METADATA_KEY_MAX_LENGTH} characters long.`,
      });
    }
    if (codePoints(pairs[key]!) > METADATA_VALUE_MAX_LENGTH) {
      problems.push({
        key,
        what: 'value',
        maximum: METADATA_VALUE_MAX_LENGTH,
        message: `Metadata values may be at most ${METADATA_VALUE_MAX_LENGTH} characters long.`,
      });
    }
  }
  return problems;
}

/** Stored metadata (JSON text) read back; anything but an object of strings reads as none. */
export function parseStoredMetadata(text: string): Metadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (pair): pair is [string, string] => typeof pair[1] === 'string' && pair[0] !== '__proto__',
    ),
  );
}
