/**
 * Opaque keyset cursors for conversation pages ordered newest updated first: the position is
 * (updatedAt, id) of the last row served, so a page costs one index range scan at any depth and
 * rows inserted or moved elsewhere never shift the rows not yet served.
 */
export interface ConversationPosition {
  updatedAt: Date;
  id: string;
}

export function encodeCursor(position: ConversationPosition): string {
  return Buffer.from(`${position.updatedAt.getTime()}.${position.id}`).toString('base64url');
}

/** The position a cursor names, or null when it is not one this server issued. */
export function decodeCursor(cursor: string): ConversationPosition | null {
  const match = /^(\d{1,15})\.([0-9A-HJKMNP-TV-Z]{26})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!match?.[1] || !match[2]) return null;
  return { updatedAt: new Date(Number(match[1])), id: match[2] };
}
