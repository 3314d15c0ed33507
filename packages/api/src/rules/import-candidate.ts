/**
 * What an import makes of one conversation of a source file, whatever its format: the fields of
 * the new conversation, its messages in order, the key that says it was imported before, and the
 * messages left out and why. Or why the whole conversation is left out.
 */
import { MESSAGE_CONTENT_MAX_LENGTH, type MessageRole } from './message.ts';
import { normalizeTitle, takeGraphemes, TITLE_MAX_GRAPHEMES } from './title.ts';

export type ImportFormat = 'parley' | 'chatgpt';

export interface CandidateMessage {
  role: MessageRole;
  content: string;
  createdAt: Date;
}

export interface ImportCandidate {
  /** The conversation's id in the source (Parley's id, ChatGPT's conversation id). */
  sourceId: string;
  /**
   * Stored as the conversation's idempotency key (unique per owner): a second import of the same
   * source conversation finds it and creates nothing.
   */
  key: string;
  title: string;
  titleSource: 'user' | 'generated' | 'default';
  model: string;
  userDisplay: string | null;
  timezone: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** What a Parley export keeps besides (other sources have none: {} and null). */
  metadata: Record<string, string>;
  pinnedAt: Date | null;
  archivedAt: Date | null;
  messages: CandidateMessage[];
  /** Messages of the source left out, counted by reason ("tool output": 3). */
  skippedMessages: Record<string, number>;
}

export type CandidateResult =
  { ok: true; candidate: ImportCandidate } | { ok: false; sourceId?: string; reason: string };

/** The longest source id kept in a key (keys are at most 255 characters). */
export const SOURCE_ID_MAX_LENGTH = 200;

export const importKey = (format: ImportFormat, sourceId: string) => `${format}:${sourceId}`;

export const IMPORT_DEFAULT_TITLE = 'New conversation';

/**
 * A title from another tool made acceptable: line breaks and controls become spaces, and it is
 * cut at the title's length limit; nothing usable gives the default title.
 */
export function lenientTitle(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const cleaned = raw
    .toWellFormed()
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .trim();
  if (!cleaned) return null;
  const cut = takeGraphemes(cleaned.slice(0, TITLE_MAX_GRAPHEMES * 64), TITLE_MAX_GRAPHEMES).trim();
  const result = normalizeTitle(cut);
  return result.ok ? result.title : null;
}

/** Why a message's content cannot be stored as it is, or null when it can. */
export function contentProblem(content: string): string | null {
  if (content.length > MESSAGE_CONTENT_MAX_LENGTH) {
    return `longer than ${MESSAGE_CONTENT_MAX_LENGTH.toLocaleString('en')} characters`;
  }
  return null;
}

/** Adds one to a reason's count. */
export function countSkip(counts: Record<string, number>, reason: string): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}
