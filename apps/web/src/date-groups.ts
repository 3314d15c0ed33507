/**
 * The sidebar's order and groups: most recently changed first (a new message or title moves a
 * conversation up), under Today, Yesterday, Previous 7 days and Older, by the person's own
 * calendar (local midnight), not by 24-hour spans.
 */
import type { Conversation } from './trpc.ts';

export const DATE_GROUPS = ['Today', 'Yesterday', 'Previous 7 days', 'Older'] as const;
export type DateGroup = (typeof DATE_GROUPS)[number];

const DAY_MS = 86_400_000;

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

export function dateGroupOf(updatedAt: string, now: Date): DateGroup {
  const today = startOfDay(now);
  const at = new Date(updatedAt).getTime();
  if (at >= today) return 'Today';
  // Days are not all 24 h long (daylight saving): compare with local midnights.
  const yesterday = startOfDay(new Date(today - DAY_MS / 2));
  if (at >= yesterday) return 'Yesterday';
  const weekAgo = startOfDay(new Date(yesterday - 6.5 * DAY_MS));
  return at >= weekAgo ? 'Previous 7 days' : 'Older';
}

/** Newest change first; the id (a ULID, time-ordered) breaks ties, as the server's pager does. */
export function byRecency(a: Conversation, b: Conversation): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The conversations sorted and grouped; empty groups left out. */
export function groupByDate(
  rows: readonly Conversation[],
  now: Date,
): { group: DateGroup; rows: Conversation[] }[] {
  const sorted = [...rows].sort(byRecency);
  const groups = new Map<DateGroup, Conversation[]>();
  for (const c of sorted) {
    const group = dateGroupOf(c.updatedAt, now);
    groups.set(group, [...(groups.get(group) ?? []), c]);
  }
  return DATE_GROUPS.filter((g) => groups.has(g)).map((group) => ({
    group,
    rows: groups.get(group)!,
  }));
}
