/**
 * The shape of an organization API key and of the header that carries it: `pk_` and a random
 * secret, sent as `Authorization: Bearer <key>`. Browser-safe (no hashing here): the bench's
 * baselines and the server read headers by these same functions.
 */
export const API_KEY_PREFIX = 'pk_';

/** Whether a bearer token is meant as an API key (as opposed to a session token). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function parseBearer(header: string | undefined): string | null {
  const match = header ? /^Bearer +([\x21-\x7e]+) *$/i.exec(header) : null;
  return match?.[1] ?? null;
}
