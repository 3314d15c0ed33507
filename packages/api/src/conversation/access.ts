/**
 * Whose conversation this is: the one rule every conversation and message operation applies
 * first. A conversation of someone else reads exactly like an unknown or malformed id, NOT_FOUND
 * and never FORBIDDEN, so a caller cannot learn which ids exist.
 */
import type { Conversation, Db } from '@parley/db';
import { TRPCError } from '@trpc/server';
import type { Principal } from '../auth/principal.ts';
import { selectOwned } from '../data/statements.ts';
import { parseId } from '../rules/ids.ts';

export function notFound(): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: 'Conversation not found.' });
}

/** The canonical id of a conversation the caller owns, or NOT_FOUND (malformed ids included). */
export function requireId(raw: string): string {
  const id = parseId(raw);
  if (!id) throw notFound();
  return id;
}

/** The caller's conversation with this id (any rendering), or NOT_FOUND. */
export async function requireOwnedConversation(
  db: Db,
  caller: Principal,
  rawId: string,
): Promise<Conversation> {
  const row = await selectOwned(db, requireId(rawId), caller.userId);
  if (!row) throw notFound();
  return row;
}

function conflict(version: number, expectedVersion: number | undefined): TRPCError {
  return new TRPCError({
    code: 'CONFLICT',
    message: `Conversation is at version ${version}, not ${expectedVersion}.`,
  });
}

/**
 * After a conditional write (owner and version) that matched nothing: NOT_FOUND when the caller
 * has no conversation with this id, else CONFLICT.
 */
export async function refuseUnmatchedWrite(
  db: Db,
  caller: Principal,
  id: string,
  expectedVersion: number | undefined,
): Promise<never> {
  const current = await selectOwned(db, id, caller.userId);
  if (!current) throw notFound();
  throw conflict(current.version, expectedVersion);
}

/**
 * The caller's conversation as it is, or NOT_FOUND when the caller has none with this id, or
 * CONFLICT when it is not at the expected version (when one is given).
 */
export async function requireOwnedAtVersion(
  db: Db,
  caller: Principal,
  id: string,
  expectedVersion: number | undefined,
): Promise<Conversation> {
  const current = await selectOwned(db, id, caller.userId);
  if (!current) throw notFound();
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    throw conflict(current.version, expectedVersion);
  }
  return current;
}
