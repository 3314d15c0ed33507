/**
 * Parley's own export format, version 1: one JSON object per conversation, its fields and then
 * its messages (last, so a writer can stream them). An export of one conversation is one such
 * object; an export of all is one per line (NDJSON). The Markdown rendering is for people and is
 * not read back. Documented in docs/api.md; a change that breaks a reader is a new version.
 */
import type { MessageRole } from './message.ts';

export const EXPORT_FORMAT = 'parley.conversation';
export const EXPORT_VERSION = 1;

/** A conversation's fields as exported (everything but the messages). */
export interface ExportedConversation {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  id: string;
  title: string;
  titleSource: 'user' | 'generated' | 'default';
  model: string;
  userDisplay: string | null;
  timezone: string | null;
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string | null;
  messageCount: number;
  /** Added in the same version 1: an export without them reads back as {} and null. */
  metadata: Record<string, string>;
  pinnedAt: string | null;
  archivedAt: string | null;
}

export interface ExportedMessage {
  id: string;
  role: MessageRole;
  content: string;
  createdAt: string;
}

export interface ExportDocument extends ExportedConversation {
  messages: ExportedMessage[];
}

/**
 * The JSON text of a document around its messages: what comes before the first message and
 * after the last, so messages can be written in between as they are read.
 */
export function documentFrame(c: ExportedConversation): { open: string; close: string } {
  const whole = JSON.stringify({ ...c, messages: [] });
  return { open: whole.slice(0, -2), close: ']}' };
}

const ROLE_HEADINGS: Record<MessageRole, string> = {
  user: 'User',
  assistant: 'Assistant',
  system: 'System',
};

/** The Markdown of a conversation's title and fields, before its messages. */
export function markdownHeader(c: ExportedConversation): string {
  const lines = [
    `# ${c.title}`,
    '',
    `- Model: ${c.model}`,
    `- Created: ${c.createdAt}`,
    `- Updated: ${c.updatedAt}`,
    `- Messages: ${c.messageCount}`,
    `- Conversation id: ${c.id}`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** One message as a Markdown section: who and when as its heading, the content verbatim. */
export function markdownMessage(m: ExportedMessage): string {
  return `## ${ROLE_HEADINGS[m.role]} · ${m.createdAt}\n\n${m.content}\n\n`;
}

/** A file name for a download: the conversation's id, which is safe in any file system. */
export function exportFileName(id: string, format: 'json' | 'markdown'): string {
  return `parley-${id}.${format === 'json' ? 'json' : 'md'}`;
}
