/**
 * Exports of the caller's own conversations, in Parley's format (rules/export-format.ts) or as
 * Markdown. Everything is produced as text chunks read page by page (keyset pages of
 * conversations, keyset pages of messages), so a host can write them out as they come and memory
 * stays at about one page whatever the size. Someone else's conversation reads as not found.
 */
import type { Conversation, Db } from '@parley/db';
import type { Principal } from '../auth/principal.ts';
import { requireOwnedConversation } from '../conversation/access.ts';
import { toConversationDto, toMessageDto } from '../data/dto.ts';
import { selectMessages, selectPage } from '../data/statements.ts';
import {
  documentFrame,
  markdownHeader,
  markdownMessage,
  type ExportDocument,
  type ExportedConversation,
  type ExportedMessage,
} from '../rules/export-format.ts';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../rules/export-format.ts';
import type { MessageRole } from '../rules/message.ts';

export type ExportFormat = 'json' | 'markdown';

/** Conversations per page of an export of all, and messages per page of one conversation. */
const CONVERSATION_PAGE = 100;
const MESSAGE_PAGE = 500;
/** Chunks are gathered up to about this many characters before they are handed on. */
const CHUNK_CHARACTERS = 64 * 1024;

function exported(row: Conversation): ExportedConversation {
  const c = toConversationDto(row);
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    id: c.id,
    title: c.title,
    titleSource: c.titleSource,
    model: c.model,
    userDisplay: c.userDisplay,
    timezone: c.timezone,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastMessageAt: c.lastMessageAt,
    messageCount: c.messageCount,
    metadata: c.metadata,
    pinnedAt: c.pinnedAt,
    archivedAt: c.archivedAt,
  };
}

/** A conversation's messages, oldest first, a page at a time. */
async function* messagePages(db: Db, conversationId: string): AsyncGenerator<ExportedMessage[]> {
  let after: string | null = null;
  for (;;) {
    const rows = await selectMessages(db, conversationId, after, MESSAGE_PAGE);
    if (rows.length > 0) {
      yield rows.map((row) => {
        const m = toMessageDto(row);
        return {
          id: m.id,
          role: m.role as MessageRole,
          content: m.content,
          createdAt: m.createdAt,
        };
      });
    }
    if (rows.length < MESSAGE_PAGE) return;
    after = rows.at(-1)!.id;
  }
}

/** The text of one conversation in a format, in pieces. */
async function* conversationText(
  db: Db,
  row: Conversation,
  format: ExportFormat,
): AsyncGenerator<string> {
  const c = exported(row);
  if (format === 'markdown') {
    yield markdownHeader(c);
    for await (const page of messagePages(db, row.id)) yield page.map(markdownMessage).join('');
    return;
  }
  const { open, close } = documentFrame(c);
  yield open;
  let first = true;
  for await (const page of messagePages(db, row.id)) {
    const items = page.map((m) => JSON.stringify(m)).join(',');
    yield first ? items : `,${items}`;
    first = false;
  }
  yield close;
}

/** Joins small pieces into chunks of a useful size for a socket. */
async function* gathered(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = '';
  for await (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= CHUNK_CHARACTERS) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/**
 * One of the caller's conversations, as a stream of text. The ownership check runs before
 * anything is produced: a host that awaits `open` can still answer NOT_FOUND as an error.
 */
export async function openConversationExport(
  db: Db,
  caller: Principal,
  rawId: string,
  format: ExportFormat,
): Promise<{ id: string; chunks: AsyncIterable<string> }> {
  const row = await requireOwnedConversation(db, caller, rawId);
  return { id: row.id, chunks: gathered(conversationText(db, row, format)) };
}

/** One conversation as a document, whole in memory (the router's answer). */
export async function exportConversationDocument(
  db: Db,
  caller: Principal,
  rawId: string,
): Promise<ExportDocument> {
  const row = await requireOwnedConversation(db, caller, rawId);
  const messages: ExportedMessage[] = [];
  for await (const page of messagePages(db, row.id)) messages.push(...page);
  return { ...exported(row), messages };
}

/** One conversation as Markdown, whole in memory (the router's answer). */
export async function exportConversationMarkdown(
  db: Db,
  caller: Principal,
  rawId: string,
): Promise<{ id: string; markdown: string }> {
  const { id, chunks } = await openConversationExport(db, caller, rawId, 'markdown');
  let markdown = '';
  for await (const chunk of chunks) markdown += chunk;
  return { id, markdown };
}

/**
 * All of the caller's conversations, one document per line (NDJSON), oldest first: by keyset on
 * (createdAt, id), which nothing changes, so a conversation renamed or written to during the
 * export is neither skipped nor repeated. One created meanwhile may or may not be included.
 */
export function exportAllConversations(db: Db, caller: Principal): AsyncIterable<string> {
  async function* lines(): AsyncGenerator<string> {
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const rows = await selectPage(db, {
        userId: caller.userId,
        field: 'createdAt',
        descending: false,
        after,
        take: CONVERSATION_PAGE,
      });
      for (const row of rows) {
        yield* conversationText(db, row, 'json');
        yield '\n';
      }
      if (rows.length < CONVERSATION_PAGE) return;
      const last = rows.at(-1)!;
      after = { at: last.createdAt, id: last.id };
    }
  }
  return gathered(lines());
}
