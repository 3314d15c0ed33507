/**
 * Opaque keyset cursors for conversation pages: the position is (sort key, id) of the last row
 * served, so a page costs one index range scan at any depth, and rows inserted or moved elsewhere
 * never shift the rows not yet served. The sort is part of the cursor: a cursor from one order
 * means nothing in another.
 */
import type { ConversationSort } from './schemas.ts';

export interface ConversationPosition {
  /** The value of the sort field (updatedAt or createdAt) of the last row served. */
  at: Date;
  id: string;
}

export function encodeCursor(sort: ConversationSort, position: ConversationPosition): string {
  return Buffer.from(`${sort}.${position.at.getTime()}.${position.id}`).toString('base64url');
}

/** The position a cursor names for this sort, or null when it is not one this server issued. */
export function decodeCursor(sort: ConversationSort, cursor: string): ConversationPosition | null {
  const match = /^(-?\w+)\.(\d{1,15})\.([0-9A-HJKMNP-TV-Z]{26})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!match?.[2] || !match[3] || match[1] !== sort) return null;
  return { at: new Date(Number(match[2])), id: match[3] };
}
