/**
 * Organization API keys: 256 random bits, shown once at creation, stored only as a SHA-256 hash.
 * A fast hash is right here (unlike passwords): the key is random, so there is nothing to guess,
 * and a leaked hash cannot be turned back into a working key. Node's crypto (synchronous, on the
 * hot path of every request), so this is not part of the browser-safe rules entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX } from './api-key.ts';

export interface NewApiKey {
  /** The secret, to show once. */
  key: string;
  hash: string;
  /** Enough of the key to recognise it in a listing, not enough to use it. */
  prefix: string;
}

export function generateApiKey(): NewApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, API_KEY_PREFIX.length + 6) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
