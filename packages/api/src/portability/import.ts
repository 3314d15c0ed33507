/**
 * Imports conversations into the caller's own account, from Parley's export (JSON or NDJSON) or
 * ChatGPT's `conversations.json`, read as a stream (json-items.ts): one conversation in memory at
 * a time.
 *
 * Two passes over the file. The first only reads it: a file that is not JSON, is cut short, is
 * too large or is of another format is refused before anything is written, with where it broke.
 * The second imports each conversation in its own transaction, whole or not at all; one that
 * cannot be imported (a rule it breaks, already imported before) is skipped with its reason.
 * The source's id is kept as the conversation's idempotency key, so importing the same file
 * again creates nothing and says "already imported".
 */
import type { Db, Message } from '@parley/db';
import { TRPCError } from '@trpc/server';
import type { Principal } from '../auth/principal.ts';
import { isUniqueViolation } from '../data/db-errors.ts';
import { toConversationDto } from '../data/dto.ts';
import { insertImportedConversation } from '../data/import-statements.ts';
import { selectByIdempotencyKey, selectOwned } from '../data/statements.ts';
import type { ConversationEvents } from '../deps/conversation-events.ts';
import { chatGptCandidate, looksLikeChatGptConversation } from '../rules/chatgpt-import.ts';
import type { ImportCandidate, ImportFormat } from '../rules/import-candidate.ts';
import { newId, parseId } from '../rules/ids.ts';
import {
  looksLikeParleyExport,
  parleyCandidate,
  parleyVersionProblem,
} from '../rules/parley-import.ts';
import { ImportFileError, readItems, type FileItem } from './json-items.ts';

/** How many imported and skipped conversations the report lists one by one (it counts all). */
export const REPORT_LIST_MAX = 1000;

export interface ImportedEntry {
  index: number;
  sourceId: string;
  /** The new conversation's id. */
  id: string;
  title: string;
  messages: number;
  /** Messages of the source left out, by reason. */
  skippedMessages: Record<string, number>;
}

export interface SkippedEntry {
  index: number;
  sourceId?: string;
  reason: string;
  /** The conversation that an earlier import of it created, when that is the reason. */
  id?: string;
}

export interface ImportReport {
  format: ImportFormat;
  /** Conversations imported by this call. */
  imported: number;
  /** The first REPORT_LIST_MAX of them. */
  conversations: ImportedEntry[];
  /** Conversations of the file not imported (already imported, or unusable). */
  skippedCount: number;
  /** The first REPORT_LIST_MAX of them, with their reasons. */
  skipped: SkippedEntry[];
  /** Messages left out of the imported conversations (hidden, tool output, …). */
  messagesSkipped: number;
}

export interface ImportOptions {
  /** The source's format; detected from the first item when absent. */
  format?: ImportFormat | undefined;
  /** Refuse a file larger than this many bytes. */
  maxBytes: number;
}

/** The file, from its start: called once per pass. */
export type ImportSource = () => AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

const FORMAT_NAMES: Record<ImportFormat, string> = {
  parley: 'a Parley export',
  chatgpt: 'a ChatGPT export (conversations.json)',
};

function formatOf(item: FileItem, wanted: ImportFormat | undefined): ImportFormat {
  const found = looksLikeParleyExport(item.value)
    ? 'parley'
    : looksLikeChatGptConversation(item.value)
      ? 'chatgpt'
      : undefined;
  const where = `item ${item.index} (byte ${item.at.byte}, line ${item.at.line})`;
  if (!found || (wanted && found !== wanted)) {
    const expected = wanted ? FORMAT_NAMES[wanted] : 'a Parley export or a ChatGPT export';
    throw new ImportFileError('wrong_format', `Not ${expected}: ${where} is not.`, item.at);
  }
  const versionProblem = found === 'parley' ? parleyVersionProblem(item.value) : null;
  if (versionProblem) {
    throw new ImportFileError('wrong_format', `${versionProblem} (${where})`, item.at);
  }
  return found;
}

/** A file problem as the API's error: 413 for the size, 400 for the rest; the cause says where. */
function asTrpcError(error: unknown): unknown {
  if (!(error instanceof ImportFileError)) return error;
  return new TRPCError({
    code: error.problem === 'too_large' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
    message: error.message,
    cause: error,
  });
}

export async function importConversations(
  db: Db,
  caller: Principal,
  source: ImportSource,
  options: ImportOptions,
  events: ConversationEvents,
): Promise<ImportReport> {
  let format: ImportFormat | undefined;
  try {
    // First pass: the whole file must read, in one format, before anything is written.
    for await (const item of readItems(source(), options)) {
      format ??= formatOf(item, options.format);
    }
    if (!format) throw new ImportFileError('empty', 'The file has no conversation in it.');
  } catch (error) {
    throw asTrpcError(error);
  }

  const report: ImportReport = {
    format,
    imported: 0,
    conversations: [],
    skippedCount: 0,
    skipped: [],
    messagesSkipped: 0,
  };
  const skip = (entry: SkippedEntry) => {
    report.skippedCount++;
    if (report.skipped.length < REPORT_LIST_MAX) report.skipped.push(entry);
  };
  const candidateOf = format === 'parley' ? parleyCandidate : chatGptCandidate;
  try {
    for await (const item of readItems(source(), options)) {
      const result = candidateOf(item.value);
      if (!result.ok) {
        skip({ index: item.index, sourceId: result.sourceId, reason: result.reason });
        continue;
      }
      const candidate = result.candidate;
      const existing = await earlierImport(db, caller, candidate, format);
      if (existing) {
        skip({ index: item.index, sourceId: candidate.sourceId, ...existing });
        continue;
      }
      const id = await insertCandidate(db, caller, candidate, events);
      if (!id) {
        const again = await earlierImport(db, caller, candidate, format);
        skip({
          index: item.index,
          sourceId: candidate.sourceId,
          reason: 'already imported',
          ...again,
        });
        continue;
      }
      report.imported++;
      const skippedMessages = Object.values(candidate.skippedMessages).reduce((a, b) => a + b, 0);
      report.messagesSkipped += skippedMessages;
      if (report.conversations.length < REPORT_LIST_MAX) {
        report.conversations.push({
          index: item.index,
          sourceId: candidate.sourceId,
          id,
          title: candidate.title,
          messages: candidate.messages.length,
          skippedMessages: candidate.skippedMessages,
        });
      }
    }
  } catch (error) {
    throw asTrpcError(error);
  }
  return report;
}

/** The caller's conversation that already holds this source conversation, if any. */
async function earlierImport(
  db: Db,
  caller: Principal,
  candidate: ImportCandidate,
  format: ImportFormat,
): Promise<{ reason: string; id: string } | undefined> {
  const imported = await selectByIdempotencyKey(db, caller.userId, candidate.key);
  if (imported) return { reason: 'already imported', id: imported.id };
  // A Parley export read back into the account it came from: the conversation is still there.
  const ownId = format === 'parley' ? parseId(candidate.sourceId, ['ulid']) : null;
  const own = ownId ? await selectOwned(db, ownId, caller.userId) : undefined;
  if (own) return { reason: 'already in your conversations', id: own.id };
  return undefined;
}

/** Writes one conversation whole; undefined when an import of it won a race to the key. */
async function insertCandidate(
  db: Db,
  caller: Principal,
  c: ImportCandidate,
  events: ConversationEvents,
): Promise<string | undefined> {
  const id = newId();
  // Ids in the source's order: message pages are ordered by id.
  const messages: Message[] = c.messages.map((m) => ({
    id: newId(),
    conversationId: id,
    role: m.role,
    content: m.content,
    createdAt: m.createdAt,
  }));
  try {
    const row = await insertImportedConversation(
      db,
      {
        id,
        orgId: caller.orgId,
        userId: caller.userId,
        title: c.title,
        titleSource: c.titleSource,
        model: c.model,
        userDisplay: c.userDisplay,
        timezone: c.timezone,
        idempotencyKey: c.key,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        createdById: caller.userId,
        updatedById: caller.userId,
        messageCount: messages.length,
        lastMessageAt: c.messages.at(-1)?.createdAt ?? null,
        metadata: JSON.stringify(c.metadata),
        pinnedAt: c.pinnedAt,
        archivedAt: c.archivedAt,
      },
      messages,
    );
    events.publish(caller.userId, { type: 'created', conversation: toConversationDto(row) });
    return id;
  } catch (error) {
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}
