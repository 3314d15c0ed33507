/**
 * The pages of the cached conversation list (an infinite query over the router's keyset pager):
 * pure reads and updates, so that creates, renames and deletes, whether made here or announced by
 * the live subscription, show at once without refetching. conversation-cache.ts applies them to
 * the query cache; the sidebar shows the rows in order of their latest change (date-groups.ts).
 */
import type { Conversation, ConversationPage } from './trpc.ts';

/** The infinite query's data (whatever its page parameters). */
export interface ListData {
  pages: ConversationPage[];
}

/**
 * Whether `incoming` is at least as recent as `current`. The version rises with every rename;
 * appending a message moves only updatedAt. An older copy (a late event, a slow response) never
 * overwrites a newer one.
 */
export function isAtLeastAsNew(incoming: Conversation, current: Conversation): boolean {
  if (incoming.version !== current.version) return incoming.version > current.version;
  return incoming.updatedAt >= current.updatedAt;
}

export function findInList(data: ListData | undefined, id: string): Conversation | undefined {
  for (const page of data?.pages ?? []) {
    const found = page.items.find((c) => c.id === id);
    if (found) return found;
  }
  return undefined;
}

function mapItems<D extends ListData>(
  data: D,
  map: (items: Conversation[], index: number) => Conversation[],
): D {
  return { ...data, pages: data.pages.map((page, i) => ({ ...page, items: map(page.items, i) })) };
}

/**
 * A conversation the list should show: replaced in place when present (if not older), otherwise
 * put first (it is the newest: just created, or changed elsewhere while below the loaded pages).
 */
export function upsertInList<D extends ListData>(
  data: D | undefined,
  incoming: Conversation,
): D | undefined {
  if (!data) return data;
  const current = findInList(data, incoming.id);
  if (current) {
    if (!isAtLeastAsNew(incoming, current)) return data;
    return mapItems(data, (items) => items.map((c) => (c.id === incoming.id ? incoming : c)));
  }
  return mapItems(data, (items, i) => (i === 0 ? [incoming, ...items] : items));
}

/**
 * A newer copy of a conversation put where it belongs: in this list (`belongs`) or out of it. A
 * copy older than the one the list holds changes nothing (a late event never unpins a
 * conversation pinned again since).
 */
export function placeInList<D extends ListData>(
  data: D | undefined,
  incoming: Conversation,
  belongs: boolean,
): D | undefined {
  const current = findInList(data, incoming.id);
  if (current && !isAtLeastAsNew(incoming, current)) return data;
  return belongs ? upsertInList(data, incoming) : removeFromList(data, incoming.id);
}

/** Changes one conversation in place, whatever its version (optimistic updates, rollbacks). */
export function patchInList<D extends ListData>(
  data: D | undefined,
  id: string,
  patch: (c: Conversation) => Conversation,
): D | undefined {
  if (!data || !findInList(data, id)) return data;
  return mapItems(data, (items) => items.map((c) => (c.id === id ? patch(c) : c)));
}

export function removeFromList<D extends ListData>(data: D | undefined, id: string): D | undefined {
  if (!data || !findInList(data, id)) return data;
  return mapItems(data, (items) => items.filter((c) => c.id !== id));
}

/** The list's rows in order, each once (a row may have been put first and also come in a page). */
export function flattenList(data: ListData | undefined): Conversation[] {
  const seen = new Set<string>();
  const rows: Conversation[] = [];
  for (const page of data?.pages ?? []) {
    for (const c of page.items) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      rows.push(c);
    }
  }
  return rows;
}
