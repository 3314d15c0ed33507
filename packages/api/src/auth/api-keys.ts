/**
 * Organization API keys: 256 random bits, shown once at creation, stored only as a SHA-256 hash.
 * A fast hash is right here (unlike passwords): the key is random, so there is nothing to guess,
 * and a leaked hash cannot be turned back into a working key.
 */
import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'pk_';

export interface NewApiKey {
  /** The secret, to show once. */
  key: string;
  hash: string;
  /** Enough of the key to recognise it in a listing, not enough to use it. */
  prefix: string;
}

export function generateApiKey(): NewApiKey {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(KEY_PREFIX);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function parseBearer(header: string | undefined): string | null {
  const match = header ? /^Bearer +([\x21-\x7e]+) *$/i.exec(header) : null;
  return match?.[1] ?? null;
}
