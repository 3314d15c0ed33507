import { describe, expect, it } from 'vitest';
import {
  flattenList,
  isAtLeastAsNew,
  patchInList,
  removeFromList,
  upsertInList,
  type ListData,
} from './list-pages.ts';
import type { Conversation } from './trpc.ts';

const at = (minute: number) => `2026-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

function conv(id: string, patch: Partial<Conversation> = {}): Conversation {
  return {
    id,
    title: id,
    titleSource: 'user',
    model: 'default',
    userDisplay: null,
    timezone: null,
    version: 1,
    messageCount: 0,
    lastMessageAt: null,
    pinnedAt: null,
    archivedAt: null,
    createdAt: at(0),
    updatedAt: at(0),
    userId: 'u',
    createdById: 'u',
    updatedById: 'u',
    metadata: {},
    ...patch,
  };
}

const list = (...pages: Conversation[][]): ListData => ({
  pages: pages.map((items, i) => ({
    items,
    hasMore: i < pages.length - 1,
    nextCursor: i < pages.length - 1 ? `c${i}` : null,
  })),
});
const ids = (data: ListData | undefined) => flattenList(data).map((c) => `${c.id}:${c.title}`);

describe('the cached conversation list', () => {
  it('a newer copy replaces a row in place: the row does not move', () => {
    const data = list([conv('a'), conv('b')], [conv('c')]);
    const renamed = conv('b', { title: 'B!', version: 2, updatedAt: at(5) });
    expect(ids(upsertInList(data, renamed))).toEqual(['a:a', 'b:B!', 'c:c']);
  });

  it('an older copy (a late event) never overwrites a newer one', () => {
    const data = list([conv('a', { title: 'new', version: 3 })]);
    expect(upsertInList(data, conv('a', { title: 'old', version: 2 }))).toBe(data);
    // Same version: the later updatedAt wins (a message appended moves only updatedAt).
    const touched = conv('a', { title: 'new', version: 3, updatedAt: at(9), messageCount: 1 });
    expect(flattenList(upsertInList(data, touched))[0]?.messageCount).toBe(1);
  });

  it('an unknown conversation goes first (new, or changed below the loaded pages)', () => {
    const data = list([conv('a')], [conv('b')]);
    expect(ids(upsertInList(data, conv('z')))).toEqual(['z:z', 'a:a', 'b:b']);
  });

  it('patches and removes wherever the row is; leaves the data alone when it is absent', () => {
    const data = list([conv('a')], [conv('b')]);
    expect(ids(patchInList(data, 'b', (c) => ({ ...c, title: 'B' })))).toEqual(['a:a', 'b:B']);
    expect(ids(removeFromList(data, 'a'))).toEqual(['b:b']);
    expect(removeFromList(data, 'nope')).toBe(data);
    expect(upsertInList(undefined, conv('a'))).toBeUndefined();
  });

  it('shows each row once even if a page brings one already put first', () => {
    expect(ids(list([conv('a'), conv('b')], [conv('a'), conv('c')]))).toEqual([
      'a:a',
      'b:b',
      'c:c',
    ]);
  });

  it('orders versions before times', () => {
    expect(isAtLeastAsNew(conv('a', { version: 2 }), conv('a', { updatedAt: at(30) }))).toBe(true);
    expect(isAtLeastAsNew(conv('a'), conv('a', { version: 2 }))).toBe(false);
  });
});
