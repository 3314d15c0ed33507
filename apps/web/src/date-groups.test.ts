import { describe, expect, it } from 'vitest';
import { byRecency, dateGroupOf, groupByDate } from './date-groups.ts';
import type { Conversation } from './trpc.ts';

const local = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).toISOString();
const now = new Date(2026, 2, 10, 9, 30); // 10 March 2026, 09:30 local

const conversation = (id: string, updatedAt: string) => ({ id, updatedAt }) as Conversation;

describe('date groups', () => {
  it('groups by local calendar day', () => {
    expect(dateGroupOf(local(2026, 3, 10, 0), now)).toBe('Today');
    expect(dateGroupOf(local(2026, 3, 9, 23), now)).toBe('Yesterday');
    expect(dateGroupOf(local(2026, 3, 9, 0), now)).toBe('Yesterday');
    expect(dateGroupOf(local(2026, 3, 8, 23), now)).toBe('Previous 7 days');
    expect(dateGroupOf(local(2026, 3, 2, 1), now)).toBe('Previous 7 days');
    expect(dateGroupOf(local(2026, 3, 1, 23), now)).toBe('Older');
    expect(dateGroupOf(local(2025, 12, 31), now)).toBe('Older');
  });

  it('sorts newest change first and leaves out empty groups', () => {
    const rows = [
      conversation('01A', local(2026, 1, 1)),
      conversation('01B', local(2026, 3, 10, 8)),
      conversation('01C', local(2026, 3, 10, 9)),
      conversation('01D', local(2026, 3, 9)),
    ];
    expect(groupByDate(rows, now)).toEqual([
      { group: 'Today', rows: [rows[2], rows[1]] },
      { group: 'Yesterday', rows: [rows[3]] },
      { group: 'Older', rows: [rows[0]] },
    ]);
  });

  it('breaks ties by id, newest first', () => {
    const at = local(2026, 3, 10);
    expect(
      [conversation('01A', at), conversation('01B', at)].sort(byRecency).map((c) => c.id),
    ).toEqual(['01B', '01A']);
  });
});
